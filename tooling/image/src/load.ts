/**
 * Loads one platform of an OCI layout into a Docker engine with `docker load`, as a `docker save`
 * archive (manifest.json naming the config and the gzipped layers, which the engine unpacks):
 * Engine 20.10 reads that format, not an OCI layout.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runOk } from './_run.ts'
import { ImageError } from './errors.ts'
import { type Architecture, blobPath, type Descriptor, readLayoutIndex } from './layout.ts'

export interface LoadedImage {
  tag: string
  /** The engine's image id: the config's digest. */
  id: string
  /** Uncompressed size the engine reports. */
  sizeBytes: number
  architecture: Architecture
}

export async function loadIntoEngine(
  layoutDir: string,
  options: { tag: string; architecture: Architecture; env?: NodeJS.ProcessEnv },
): Promise<LoadedImage> {
  const env = options.env ?? process.env
  const { manifests } = await readLayoutIndex(layoutDir)
  const entry = manifests.find((m) => m.platform?.architecture === options.architecture)
  if (!entry) {
    throw new ImageError(
      'WT_IMAGE_LOAD',
      `the layout in ${layoutDir} has no linux/${options.architecture} image`,
    )
  }
  const manifest = JSON.parse(await readFile(blobPath(layoutDir, entry.digest), 'utf8')) as {
    config: Descriptor
    layers: Descriptor[]
  }
  const stage = await mkdtemp(join(tmpdir(), 'wt-image-load-'))
  try {
    await mkdir(join(stage, 'blobs/sha256'), { recursive: true })
    const name = (d: Descriptor) => `blobs/sha256/${d.digest.slice('sha256:'.length)}`
    for (const d of [manifest.config, ...manifest.layers]) {
      await symlink(blobPath(layoutDir, d.digest), join(stage, name(d))).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e
      })
    }
    await writeFile(
      join(stage, 'manifest.json'),
      JSON.stringify([
        { Config: name(manifest.config), RepoTags: [options.tag], Layers: manifest.layers.map(name) },
      ]),
    )
    await dockerLoad(stage, env, options.tag)
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
  const [id = '', size = '0', arch = ''] = (
    await runOk(
      'docker',
      ['image', 'inspect', '--format', '{{.Id}} {{.Size}} {{.Architecture}}', options.tag],
      {
        env,
      },
    )
  )
    .trim()
    .split(' ')
  if (id !== manifest.config.digest) {
    throw new ImageError(
      'WT_IMAGE_LOAD',
      `docker load gave ${options.tag} the id ${id}, expected the config digest ${manifest.config.digest}`,
    )
  }
  return { tag: options.tag, id, sizeBytes: Number(size), architecture: arch as Architecture }
}

/** `tar -C stage -ch . | docker load` (links followed: the blobs stay in the layout). */
function dockerLoad(stage: string, env: NodeJS.ProcessEnv, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', stage, '-ch', '.'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const load = spawn('docker', ['load', '--quiet'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let err = ''
    tar.stderr.on('data', (d) => {
      err += d
    })
    load.stderr.on('data', (d) => {
      err += d
    })
    load.stdout.resume()
    tar.stdout.pipe(load.stdin)
    load.stdin.on('error', () => {})
    const fail = (e: Error) =>
      reject(new ImageError('WT_IMAGE_LOAD', `docker load of ${tag} failed: ${e.message}`, { cause: e }))
    tar.on('error', fail)
    load.on('error', fail)
    load.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new ImageError(
              'WT_IMAGE_LOAD',
              `docker load of ${tag} failed (${code}): ${err.trim().slice(-2000)}`,
            ),
          ),
    )
  })
}
