import { type ImageReference, matchesAnyReference, parseReference } from '@watchtower-ts/image-reference'
import { afterEach, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { createLogger } from '../log.ts'
import { createSessionLock } from '../session/lock.ts'
import { buildReport } from '../session/types.ts'
import { narrowImageFilters, parseImageFilter } from './image-filter.ts'
import { createMetrics } from './metrics.ts'
import { type ApiServer, createApiServer, type UpdateOutcome } from './server.ts'

const report = buildReport([
  {
    id: 'c1',
    name: '/web',
    imageName: '127.0.0.1:5000/web:1',
    currentImageId: 'sha256:aa',
    latestImageId: 'sha256:bb',
    state: 'Updated',
  },
  {
    id: 'c2',
    name: '/db',
    imageName: 'postgres',
    currentImageId: 'sha256:cc',
    latestImageId: 'sha256:cc',
    state: 'Fresh',
  },
])

let server: ApiServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(
  onUpdate: (i: ImageReference[] | undefined) => Promise<UpdateOutcome>,
  stats?: () => undefined,
) {
  const metrics = createMetrics(stats)
  server = createApiServer({
    token: 's3cret-token',
    update: true,
    metrics,
    onUpdate,
    log: createLogger({ level: 'error', format: 'json', noColor: true, stream: capture() }),
  })
  const { port } = await server.listen(0, '127.0.0.1')
  return { base: `http://127.0.0.1:${port}`, metrics }
}
const auth = { authorization: 'Bearer s3cret-token' }

describe('HTTP API', () => {
  it('a flood of unauthorized requests writes one line per interval, then one summary line', async () => {
    const out = capture()
    let clock = 1_000_000
    server = createApiServer({
      token: 's3cret-token',
      update: true,
      onUpdate: async () => ({ skipped: false, report }),
      log: createLogger({ level: 'info', format: 'logfmt', noColor: true, stream: out, now: () => clock }),
      unauthorizedLogIntervalMs: 60_000,
      now: () => clock,
    })
    const { port } = await server.listen(0, '127.0.0.1')
    const flood = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/v1/update`, { method: 'POST' })
        expect(r.status).toBe(401)
      }
    }
    await flood(200)
    expect(out.text.trim().split('\n')).toHaveLength(1)
    expect(out.text).toContain('msg="Unauthorized API request" path=/v1/update')
    clock += 60_000
    await flood(1)
    const lines = out.text.trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toContain(
      'msg="199 more unauthorized API request(s) in the last 60 s" count=199 paths=/v1/update',
    )
    expect(lines[2]).toContain('msg="Unauthorized API request"')
  })
  it('/v1/update needs the exact Bearer token', async () => {
    const { base } = await start(async () => ({ skipped: false, report }))
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 's3cret-token' },
      { authorization: 'bearer s3cret-token' },
    ]) {
      const r = await fetch(`${base}/v1/update`, { method: 'POST', headers })
      expect(r.status).toBe(401)
      expect(await r.text()).toBe('')
    }
  })
  it('/v1/update runs a session and answers JSON', async () => {
    const seen: (ImageReference[] | undefined)[] = []
    const { base } = await start(async (i) => {
      seen.push(i)
      return { skipped: false, report }
    })
    const r = await fetch(`${base}/v1/update`, { method: 'POST', headers: auth })
    expect(r.status).toBe(200)
    const j = (await r.json()) as { summary: unknown; containers: unknown[] }
    expect(j.summary).toEqual({ scanned: 2, updated: 1, failed: 0, skipped: 0, stale: 0, fresh: 1 })
    expect(j.containers[0]).toEqual({
      kind: 'container',
      id: 'c1',
      name: 'web',
      image: '127.0.0.1:5000/web:1',
      state: 'Updated',
      currentImageId: 'aa',
      latestImageId: 'bb',
    })
    expect(seen).toEqual([undefined])
  })
  it('/v1/update shows a tag policy move (from → to) and a container the cooldown delay holds back', async () => {
    const moved = buildReport([
      {
        ...report.updated[0]!,
        tagChange: { from: '1', to: '2', newImageName: '127.0.0.1:5000/web:2' },
      },
      {
        ...report.fresh[0]!,
        waiting: { imageName: 'postgres:17', waitMs: 60_000, reason: '1m to go' },
      },
    ])
    const { base } = await start(async () => ({ skipped: false, report: moved }))
    const r = await fetch(`${base}/v1/update`, { method: 'POST', headers: auth })
    const j = (await r.json()) as { containers: Record<string, unknown>[] }
    expect(j.containers[0]).toMatchObject({ fromTag: '1', toTag: '2', newImage: '127.0.0.1:5000/web:2' })
    expect(j.containers[1]).toMatchObject({
      state: 'Fresh',
      waiting: { image: 'postgres:17', waitMs: 60_000 },
    })
  })
  it('image= is parsed as real references: repeatable, comma lists, host:port/repo', async () => {
    const seen: string[][] = []
    const { base } = await start(async (i) => {
      seen.push((i ?? []).map((r) => `${r.registry}/${r.repository}`))
      return { skipped: false, report }
    })
    await fetch(`${base}/v1/update?image=127.0.0.1:5000/team/app,nginx&image=ghcr.io/o/r:1`, {
      headers: auth,
    })
    expect(seen[0]).toEqual(['127.0.0.1:5000/team/app', 'docker.io/library/nginx', 'ghcr.io/o/r'])
    const bad = await fetch(`${base}/v1/update?image=UPPER/Case`, { headers: auth })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid image "UPPER\/Case"/)
  })
  it('answers skipped when another update is running (no image filter)', async () => {
    const { base } = await start(async () => ({ skipped: true }))
    expect(await (await fetch(`${base}/v1/update`, { headers: auth })).json()).toMatchObject({
      skipped: true,
    })
  })
  it('/v1/metrics: upstream names plus registry figures, behind the token', async () => {
    const { base, metrics } = await start(async () => ({ skipped: false, report }))
    metrics.recordScan(report)
    metrics.recordSkipped()
    metrics.recordScan(report)
    expect((await fetch(`${base}/v1/metrics`)).status).toBe(401)
    const text = await (await fetch(`${base}/v1/metrics`, { headers: auth })).text()
    expect(text).toMatch(/^watchtower_containers_scanned 2$/m)
    expect(text).toMatch(/^watchtower_containers_updated 1$/m)
    expect(text).toMatch(/^watchtower_containers_failed 0$/m)
    expect(text).toMatch(/^watchtower_scans_total 3$/m)
    expect(text).toMatch(/^watchtower_scans_skipped 1$/m)
    expect(text).toContain('watchtower_token_cache_hits 0')
    expect(text).toContain('process_cpu_user_seconds_total')
  })
  it('metrics read the runner stats', async () => {
    const metrics = createMetrics(() => ({
      registryRequests: { ping: 2, token: 1, manifestHead: 5 },
      tokenCacheHits: 4,
      tokenCacheMisses: 1,
      rateLimitRemaining: { 'registry-1.docker.io': 99 },
    }))
    const { body } = await metrics.render()
    expect(body).toContain('watchtower_registry_requests{kind="manifestHead"} 5')
    expect(body).toContain('watchtower_token_cache_hits 4')
    expect(body).toContain('watchtower_token_cache_misses 1')
    expect(body).toContain('watchtower_registry_rate_limit_remaining{registry="registry-1.docker.io"} 99')
  })
  it('health endpoint needs no token; unknown paths 404', async () => {
    const { base } = await start(async () => ({ skipped: true }))
    expect(await (await fetch(`${base}/v1/health`)).json()).toEqual({ status: 'ok' })
    expect((await fetch(`${base}/v2/nope`, { headers: auth })).status).toBe(404)
  })
})

describe('image filter', () => {
  const f = (...v: string[]) => parseImageFilter(v)
  const imageMatches = (image: string, filters: readonly ImageReference[]) =>
    matchesAnyReference(parseReference(image), filters)
  it('matches registry and repository, and the tag when given', () => {
    expect(imageMatches('127.0.0.1:5000/team/app:1.2', f('127.0.0.1:5000/team/app'))).toBe(true)
    expect(imageMatches('127.0.0.1:5000/team/app:1.2', f('127.0.0.1:5000/team/app:1.2'))).toBe(true)
    expect(imageMatches('127.0.0.1:5000/team/app:1.2', f('127.0.0.1:5000/team/app:2'))).toBe(false)
    expect(imageMatches('127.0.0.1:5001/team/app', f('127.0.0.1:5000/team/app'))).toBe(false)
    expect(imageMatches('nginx:1.25', f('docker.io/library/nginx'))).toBe(true)
    expect(imageMatches('docker.io/library/nginx', f('nginx'))).toBe(true)
    expect(imageMatches('nginx', f('nginxx'))).toBe(false)
  })
})

describe('session lock', () => {
  it('tryRun skips while busy; run queues in order', async () => {
    const lock = createSessionLock()
    const order: string[] = []
    let release!: () => void
    const first = lock.run(
      () =>
        new Promise<void>((r) => {
          release = () => {
            order.push('first')
            r()
          }
        }),
    )
    expect(lock.busy).toBe(true)
    expect(await lock.tryRun(async () => order.push('never'))).toEqual({ skipped: true })
    const second = lock.run(async () => void order.push('second'))
    release()
    await Promise.all([first, second])
    await lock.idle()
    expect(order).toEqual(['first', 'second'])
    expect(lock.busy).toBe(false)
    expect(await lock.tryRun(async () => 1)).toEqual({ skipped: false, value: 1 })
  })
})

describe('image filter narrowed by --monitor-image-names', () => {
  const f = (...v: string[]) => parseImageFilter(v)
  const matches = (image: string, a: string[], b: string[]) =>
    matchesAnyReference(parseReference(image), narrowImageFilters(f(...a), f(...b)))
  it('matches exactly what matches both lists', () => {
    expect(matches('nginx:1.25', ['nginx'], ['nginx:1.25'])).toBe(true)
    expect(matches('nginx:1.26', ['nginx'], ['nginx:1.25'])).toBe(false)
    expect(matches('nginx:1.25', ['nginx:1.25'], ['docker.io/library/nginx'])).toBe(true)
    expect(matches('nginx:1.25', ['nginx:1.25'], ['nginx:1.26'])).toBe(false)
    expect(matches('nginx:1.25', ['nginx', 'redis'], ['redis'])).toBe(false)
    expect(matches('redis:7', ['nginx', 'redis'], ['redis'])).toBe(true)
  })
})
