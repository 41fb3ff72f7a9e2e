/**
 * Builds the watchtower image (an OCI layout, see layout.ts) and loads the engine's platform into
 * a Docker engine under a tag: what tests, the demo and `pnpm image build` use.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runOk } from './_run.ts'
import { ImageError } from './errors.ts'
import { type Architecture, buildImageLayout, type ImageLayout, REPO_ROOT } from './layout.ts'
import { loadIntoEngine } from './load.ts'

export { REPO_ROOT }

export interface BuildImageOptions {
  /** Name:tag of the image to load into the engine. @default 'watchtower-ts:local' */
  tag?: string
  /** Environment for the docker CLI (DOCKER_HOST). @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default the repository holding this package */
  repoRoot?: string
  /**
   * Written to the `org.watchtower-ts.build` label: a new value gives a new image (new id) from
   * the same sources (a "new release" for self-update tests). @default ''
   */
  buildId?: string
  /**
   * Where the OCI layout goes (replaced). @default a temporary folder, removed after loading
   * (with `keepLayout`, kept and returned)
   */
  layoutDir?: string
  /** Platforms to put into the layout. @default only the engine's (faster); both for a release */
  architectures?: readonly Architecture[]
  /** Progress lines. @default no output */
  log?: (line: string) => void
}

export interface BuiltImage {
  tag: string
  /** The engine's image id (the config digest). */
  id: string
  /** Uncompressed size the engine reports. */
  sizeBytes: number
  /** The layout the image was loaded from, when `layoutDir` was given. */
  layout?: ImageLayout
}

/** The engine's architecture in OCI terms (amd64, arm64). */
export async function engineArchitecture(env: NodeJS.ProcessEnv = process.env): Promise<Architecture> {
  const arch = (await runOk('docker', ['version', '--format', '{{.Server.Arch}}'], { env })).trim()
  if (arch !== 'amd64' && arch !== 'arm64') {
    throw new ImageError(
      'WT_IMAGE_LOAD',
      `the engine runs on ${arch}: the image exists for amd64 and arm64 only`,
    )
  }
  return arch
}

export async function buildWatchtowerImage(options: BuildImageOptions = {}): Promise<BuiltImage> {
  const tag = options.tag ?? 'watchtower-ts:local'
  const env = options.env ?? process.env
  const arch = await engineArchitecture(env)
  const archs = options.architectures ?? [arch]
  if (!archs.includes(arch)) {
    throw new ImageError(
      'WT_IMAGE_USAGE',
      `the engine runs on ${arch}, which is not among ${archs.join(', ')}`,
    )
  }
  const temp = options.layoutDir ? undefined : await mkdtemp(join(tmpdir(), 'wt-image-oci-'))
  try {
    const layout = await buildImageLayout({
      outDir: options.layoutDir ?? join(temp as string, 'oci'),
      architectures: archs,
      ...(options.repoRoot ? { repoRoot: options.repoRoot } : {}),
      ...(options.buildId ? { buildId: options.buildId } : {}),
      ...(options.log ? { log: options.log } : {}),
    })
    const loaded = await loadIntoEngine(layout.dir, { tag, architecture: arch, env })
    options.log?.(`loaded linux/${arch} as ${tag} (${loaded.id.slice(7, 19)})`)
    return {
      tag,
      id: loaded.id,
      sizeBytes: loaded.sizeBytes,
      ...(options.layoutDir ? { layout } : {}),
    }
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true })
  }
}
