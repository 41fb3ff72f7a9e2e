/** Builds `apps/watchtower/Dockerfile` with the classic builder, from a context of only what it reads. */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOk } from './_run.ts'
import { ensureNodeBaseImage } from './base-image.ts'
import { buildContextPaths } from './build-context.ts'
import { ImageError } from './errors.ts'

/** The repository this package lives in. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const DOCKERFILE = 'apps/watchtower/Dockerfile'

export interface BuildImageOptions {
  /** Name:tag of the image to build. @default 'watchtower-ts:local' */
  tag?: string
  /** Environment for the docker CLI (DOCKER_HOST). @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default the repository holding this package */
  repoRoot?: string
  /** `NODE_IMAGE` build argument (the base of both stages). @default 'node:20-slim' */
  baseImage?: string
  /** Make the base image from this machine's node when it is missing. @default true */
  ensureBase?: boolean
  /**
   * `WATCHTOWER_BUILD` build argument, written to the `org.watchtower-ts.build` label: a new
   * value gives a new image from the same sources (a "new release" for self-update tests).
   * @default ''
   */
  buildId?: string
  /** Progress lines (the builder's output). @default no output */
  log?: (line: string) => void
}

export interface BuiltImage {
  tag: string
  id: string
  /** Uncompressed size the engine reports. */
  sizeBytes: number
}

export async function buildWatchtowerImage(options: BuildImageOptions = {}): Promise<BuiltImage> {
  const tag = options.tag ?? 'watchtower-ts:local'
  const env = { ...(options.env ?? process.env), DOCKER_BUILDKIT: '0' }
  const repoRoot = options.repoRoot ?? REPO_ROOT
  const baseImage = options.baseImage ?? 'node:20-slim'
  if (options.ensureBase ?? true) {
    const base = await ensureNodeBaseImage({
      name: baseImage,
      env,
      ...(options.log ? { log: options.log } : {}),
    })
    if (base.created) options.log?.(`made ${base.name} (node ${base.nodeVersion})`)
  }
  const list = await mkdtemp(join(tmpdir(), 'wt-image-context-'))
  try {
    const listFile = join(list, 'paths')
    const paths = new Set([DOCKERFILE, ...(await buildContextPaths(repoRoot))])
    await writeFile(listFile, `${[...paths].join('\n')}\n`)
    const args = [
      'build',
      '-f',
      DOCKERFILE,
      '-t',
      tag,
      '--build-arg',
      `NODE_IMAGE=${baseImage}`,
      '--build-arg',
      `WATCHTOWER_BUILD=${options.buildId ?? ''}`,
      '-',
    ]
    await tarInto(repoRoot, listFile, args, env, tag, options.log)
  } finally {
    await rm(list, { recursive: true, force: true })
  }
  const [id = '', size = '0'] = (
    await runOk('docker', ['image', 'inspect', '--format', '{{.Id}} {{.Size}}', tag], { env })
  )
    .trim()
    .split(' ')
  return { tag, id, sizeBytes: Number(size) }
}

/** `tar -c -T listFile | docker build … -`; rejects with the builder's output tail on failure. */
function tarInto(
  repoRoot: string,
  listFile: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  tag: string,
  log?: (line: string) => void,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const tar = spawn('tar', ['-C', repoRoot, '-c', '-T', listFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    const build = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let tarErr = ''
    const onData = (d: Buffer) => {
      const text = d.toString('utf8')
      output = (output + text).slice(-8000)
      if (log) for (const line of text.split('\n')) if (line.trim()) log(line)
    }
    build.stdout.on('data', onData)
    build.stderr.on('data', onData)
    tar.stderr.on('data', (d) => {
      tarErr += d
    })
    tar.stdout.pipe(build.stdin)
    build.stdin.on('error', () => {})
    const fail = (e: Error) =>
      reject(new ImageError('WT_IMAGE_BUILD', `docker build of ${tag} failed: ${e.message}`, { cause: e }))
    tar.on('error', fail)
    build.on('error', fail)
    build.on('close', (code) => {
      if (code === 0) return resolvePromise()
      const why = [tarErr.trim(), output.trim().split('\n').slice(-25).join('\n')].filter(Boolean).join('\n')
      reject(
        new ImageError(
          'WT_IMAGE_BUILD',
          `docker build of ${tag} (${DOCKERFILE}) exited with ${code}:\n${why}`,
        ),
      )
    })
  })
}
