/** Repositories and containers the benchmarks create on the bed, and their removal. */
import { dockerCli, type PushedImage, pushImage, type Testbed } from '@watchtower-ts/testbed'
import { mapLimit } from './_proc.ts'

export const SCOPE_LABEL = 'com.centurylinklabs.watchtower.scope'

/** Pushes `count` repositories `${prefix}/r<i>:latest` (variant v1) to the token registry. */
export function pushRepos(bed: Testbed, prefix: string, count: number): Promise<PushedImage[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => `${prefix}/r${i}`),
    4,
    (repository) => pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'latest' }),
  )
}

/**
 * The bench containers' command: exits at once on SIGTERM. (The bed images' own CMD handles the
 * signal only when its `sleep 1` ends, which adds 0–1 s of noise to every stop.)
 */
export const FAST_STOP_CMD = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done']

/** `docker run` arguments of a bench container (no network, scope label = `scope`). */
export function runArgs(name: string, scope: string, ref: string): string[] {
  return [
    '-d',
    '--network',
    'none',
    '--name',
    name,
    '--label',
    `${SCOPE_LABEL}=${scope}`,
    ref,
    ...FAST_STOP_CMD,
  ]
}

/** Runs `count` containers `${scope}-c<i>` over `images` (round robin), 8 at a time. */
export async function runContainers(
  bed: Testbed,
  scope: string,
  images: readonly PushedImage[],
  count: number,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${scope}-c${i}`)
  await mapLimit(names, 8, (name, i) =>
    dockerCli(bed, ['run', ...runArgs(name, scope, images[i % images.length]!.ref)], { reject: true }),
  )
  return names
}

/** Removes every container with the scope label, and the local tags of `images`. */
export async function cleanUp(bed: Testbed, scope: string, images: readonly PushedImage[]): Promise<void> {
  const ps = await dockerCli(bed, ['ps', '-aq', '--filter', `label=${SCOPE_LABEL}=${scope}`])
  const ids = ps.stdout.split('\n').filter(Boolean)
  for (let i = 0; i < ids.length; i += 50) await dockerCli(bed, ['rm', '-f', ...ids.slice(i, i + 50)])
  const refs = [...new Set(images.map((im) => im.ref))]
  for (let i = 0; i < refs.length; i += 50) await dockerCli(bed, ['rmi', ...refs.slice(i, i + 50)])
}
