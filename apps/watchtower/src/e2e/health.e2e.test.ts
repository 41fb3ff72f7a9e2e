import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDeps } from '../../test/cli-deps.ts'
import { bed, watchtower } from '../../test/e2e-bed.ts'
import { main } from '../index.ts'

// The health check against the real engine, reached through a socket proxy the test controls:
// healthy while the engine answers; unhealthy (the HEALTHCHECK command exits 1, /v1/health 503)
// once the proxy is stopped; healthy again when it is back.
let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wt-health-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A unix socket that forwards every connection to the bed's engine, until closed. */
function socketProxy(path: string): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = createConnection(bed.docker.socketPath)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(path, () =>
      resolve({
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy()
            server.close(() => r())
          }),
      }),
    )
  })
}

const healthCheck = async (file: string) => {
  const deps = testDeps({ env: { WATCHTOWER_HEARTBEAT_FILE: file }, now: Date.now })
  const code = await main(['--health-check'], deps)
  return { code, text: deps.stdout.text + deps.stderr.text }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

describe('health check', () => {
  it('turns unhealthy when the engine stops answering and healthy when it is back', async () => {
    const sock = join(dir, 'engine.sock')
    const file = join(dir, 'heartbeat.json')
    let proxy = await socketProxy(sock)
    let port = 0
    let stop: ((s: string) => void) | undefined
    const done = watchtower(
      [
        '--host',
        `unix://${sock}`,
        '--heartbeat-file',
        file,
        '--heartbeat-interval',
        '1s',
        '--http-api-update',
        '--http-api-token',
        'tok',
        '--http-api-host',
        '127.0.0.1',
        '--http-api-port',
        '0',
        '--no-startup-message',
      ],
      {
        onShutdown: (h) => {
          stop = h
          return () => {}
        },
        onListening: (p) => {
          port = p
        },
      },
    )
    const api = async () =>
      (await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(2000) })).status
    try {
      expect(await until(async () => (await healthCheck(file)).code === 0, 20_000)).toBe(true)
      expect(await api()).toBe(200)

      await proxy.close()
      expect(await until(async () => (await healthCheck(file)).code === 1, 20_000)).toBe(true)
      expect((await healthCheck(file)).text).toMatch(
        /unhealthy: the Docker engine has not answered for \d+ s/,
      )
      expect(await api()).toBe(503)

      proxy = await socketProxy(sock)
      expect(await until(async () => (await healthCheck(file)).code === 0, 20_000)).toBe(true)
      expect(await api()).toBe(200)
    } finally {
      stop?.('SIGTERM')
      const r = await done
      await proxy.close()
      expect(r.code, r.stderr).toBe(0)
    }
  })
})
