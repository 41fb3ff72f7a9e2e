import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dockerCli } from './docker-cli.ts'
import type { RegistryName, Testbed } from './types.ts'

export interface PushImageOptions {
  registry: RegistryName
  variant: 'v1' | 'v2'
  /** e.g. `alice/app-x1y2` (use `uniqueName`); on the token registry bob may push to `bob/*` only. */
  repository: string
  tag: string
  /** Whose credentials push (basic and token registries). @default 'alice' */
  user?: 'alice' | 'bob'
}

export interface PushedImage {
  /** `127.0.0.1:PORT/repository:tag` on the registry asked for. */
  ref: string
  /** Manifest digest the registry stored (`sha256:…`). */
  digest: string
}

/** open, expired, wronghost and mtls share one storage; the last three are pushed to through open. */
const PUSH_VIA: Partial<Record<RegistryName, RegistryName>> = {
  expired: 'open',
  wronghost: 'open',
  mtls: 'open',
}

/**
 * Tags the bed's v1/v2 image and pushes it with the real engine. The local tag is kept, so the
 * local image carries the pushed RepoDigest.
 */
export async function pushImage(bed: Testbed, options: PushImageOptions): Promise<PushedImage> {
  const target = bed.registries[options.registry]
  const via = bed.registries[PUSH_VIA[options.registry] ?? options.registry]
  const ref = `${target.host}/${options.repository}:${options.tag}`
  const pushRef = `${via.host}/${options.repository}:${options.tag}`
  let dockerConfig = bed.dockerConfigDir
  let tmp: string | undefined
  if (options.user === 'bob') {
    tmp = await mkdtemp(join(tmpdir(), 'wt-testbed-bob-'))
    const auth = Buffer.from(`${bed.users.bob.username}:${bed.users.bob.password}`).toString('base64')
    await writeFile(
      join(tmp, 'config.json'),
      JSON.stringify({
        auths: { [bed.registries.basic.host]: { auth }, [bed.registries.token.host]: { auth } },
      }),
    )
    dockerConfig = tmp
  }
  try {
    await dockerCli(bed, ['tag', bed.images[options.variant], pushRef], { reject: true })
    const r = await dockerCli(bed, ['push', pushRef], { dockerConfig })
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1]
    if (r.code !== 0 || !digest) {
      throw new Error(
        `docker push ${pushRef} (${options.user ?? 'alice'}) failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
      )
    }
    if (pushRef !== ref) await dockerCli(bed, ['tag', bed.images[options.variant], ref], { reject: true })
    return { ref, digest }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  }
}
