import { createServer } from 'node:net'
import { buildWatchtowerImage } from '@watchtower-ts/image'
import { afterAll, describe, expect, it } from 'vitest'
import { bed, docker, uniqueName } from './_bed.ts'

// The real image: a watchtower container updates itself through the HTTP API, leaving exactly one
// watchtower (same name, same host port, new image) and nothing from the old image.
const S = uniqueName('wt-app-self')
const ref = `${bed.registries.open.host}/${S}:latest`
const ids: string[] = []

afterAll(async () => {
  const names = (await docker(['ps', '-a', '--format', '{{.Names}}']))
    .split('\n')
    .filter((n) => n.startsWith(S))
  if (names.length) await docker(['rm', '-f', ...names])
  for (const id of ids) await docker(['rmi', '-f', id]).catch(() => {})
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

async function release(buildId: string): Promise<string> {
  const built = await buildWatchtowerImage({
    tag: ref,
    buildId,
    env: { ...process.env, DOCKER_HOST: bed.docker.host },
  })
  ids.push(built.id)
  await docker(['push', ref])
  return built.id
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 500))
  }
  return undefined
}

const health = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(2000) })).status

describe('self-update of the watchtower container', () => {
  it('one watchtower left, on the new image, on the same port; no orphan', async () => {
    const port = await freePort()
    const first = await release('r1')
    await docker([
      'run',
      '-d',
      '--name',
      S,
      '--network',
      'host',
      '--label',
      `com.centurylinklabs.watchtower.scope=${S}`,
      '-v',
      `${bed.docker.socketPath}:/var/run/docker.sock`,
      ref,
      '--scope',
      S,
      '--http-api-update',
      '--http-api-token',
      'tok',
      '--http-api-host',
      '127.0.0.1',
      '--http-api-port',
      String(port),
    ])
    expect(await waitFor(async () => ((await health(port)) === 200 ? true : undefined), 60_000)).toBe(true)
    const second = await release('r2')
    await fetch(`http://127.0.0.1:${port}/v1/update`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
      signal: AbortSignal.timeout(60_000),
    })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
    const settled = await waitFor(async () => {
      const names = (await docker(['ps', '-a', '--format', '{{.Names}}']))
        .split('\n')
        .filter((n) => n.startsWith(S))
      if (names.length !== 1 || names[0] !== S) return undefined
      const [image, running] = (
        await docker(['inspect', '--format', '{{.Image}} {{.State.Running}}', S])
      ).split(' ')
      if (image !== second || running !== 'true' || (await health(port)) !== 200) return undefined
      return true
    }, 90_000)
    const logs = (await docker(['logs', S]).catch(() => '')) + (await docker(['ps', '-a']))
    expect(settled, logs).toBe(true)
    expect(await docker(['ps', '-a', '--filter', `ancestor=${first}`, '--format', '{{.Names}}'])).toBe('')
  })
})
