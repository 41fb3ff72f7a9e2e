/** Repositories and containers the benchmarks create on the bed, and their removal. */
import { request } from 'node:http'
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
 * The bench containers' command: one sleeping process (hundreds of containers must not keep the
 * machine busy) that exits at once on SIGTERM. (The bed images' own CMD handles the signal only
 * when its `sleep 1` ends, which adds 0–1 s of noise to every stop.)
 */
export const FAST_STOP_CMD = ['sh', '-c', 'trap "exit 0" TERM; sleep 2147483647 & wait $!']

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

/** One engine API call over the bed's socket; the answer's JSON (or undefined when empty). */
function engineCall(bed: Testbed, method: string, path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        socketPath: bed.docker.socketPath,
        method,
        path,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d
        })
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300)
            reject(new Error(`engine ${method} ${path}: ${res.statusCode} ${text.trim()}`))
          else resolve(text ? JSON.parse(text) : undefined)
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Runs `count` containers `${scope}-c<i>` over `images` (round robin) through the engine API,
 * 16 at a time (create + start: what `docker run -d --network none` does, without a CLI per container).
 */
export async function runContainers(
  bed: Testbed,
  scope: string,
  images: readonly PushedImage[],
  count: number,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${scope}-c${i}`)
  await mapLimit(names, 16, async (name, i) => {
    const created = (await engineCall(bed, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, {
      Image: images[i % images.length]!.ref,
      Cmd: FAST_STOP_CMD,
      Labels: { [SCOPE_LABEL]: scope },
      HostConfig: { NetworkMode: 'none' },
    })) as { Id: string }
    await engineCall(bed, 'POST', `/containers/${created.Id}/start`)
  })
  return names
}

/** Removes every container with the scope label (16 at a time), and the local tags of `images`. */
export async function cleanUp(bed: Testbed, scope: string, images: readonly PushedImage[]): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${SCOPE_LABEL}=${scope}`] }))
  const listed = (await engineCall(bed, 'GET', `/containers/json?all=1&filters=${filters}`)) as {
    Id: string
  }[]
  await mapLimit(listed, 16, (c) =>
    engineCall(bed, 'DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => {}),
  )
  const refs = [...new Set(images.map((im) => im.ref))]
  for (let i = 0; i < refs.length; i += 50) await dockerCli(bed, ['rmi', ...refs.slice(i, i + 50)])
}
