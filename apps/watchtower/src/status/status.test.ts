import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { type ApiServer, createApiServer } from '../api/server.ts'
import { CONTENT_SECURITY_POLICY } from '../api/ui.ts'
import { APP_CSS } from '../api/ui-assets.ts'
import { createLogger } from '../log.ts'
import { buildReport, type ContainerReport } from '../session/types.ts'
import { ContainersResponse, RegistriesResponse, SessionsResponse, StateFile, StatusEvent } from './schema.ts'
import { createStatusStore, MAX_SESSIONS, type StatusStore } from './store.ts'

const HOST = 'unix:///var/run/docker.sock'
const entry = (over: Partial<ContainerReport>): ContainerReport => ({
  id: 'c1',
  name: '/web',
  imageName: '127.0.0.1:5000/web:1',
  currentImageId: 'sha256:aa',
  latestImageId: 'sha256:aa',
  state: 'Fresh',
  ...over,
})

let clock = Date.UTC(2026, 5, 1, 12)
const now = () => clock

const dirs: string[] = []
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'wt-status-'))
  dirs.push(d)
  return d
}
let server: ApiServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

/** One pass of two containers on a token registry: web stale, db up to date. */
async function pass(store: StatusStore) {
  store.beginSession('schedule')
  store.registryEvent({ type: 'ping', registry: '127.0.0.1:5000', url: 'x', status: 401, challenges: [] })
  store.registryEvent({
    type: 'token-request',
    registry: '127.0.0.1:5000',
    realm: 'r',
    scopes: [],
    method: 'GET',
    grant: 'basic',
    status: 200,
  })
  store.registryEvent({
    type: 'token',
    registry: '127.0.0.1:5000',
    realm: 'r',
    scopes: [],
    cached: true,
    expiresAt: 0,
  })
  store.registryEvent({
    type: 'manifest',
    registry: '127.0.0.1:5000',
    repository: 'web',
    reference: '1',
    method: 'HEAD',
    status: 200,
  })
  store.registryEvent({ type: 'rate-limit', host: '127.0.0.1:5000', limit: 100, remaining: 97 })
  store.checked('127.0.0.1:5000/web:1', '127.0.0.1:5000/web@sha256:old', 'sha256:new')
  clock += 1500
  return store.endSession({
    report: buildReport([
      entry({ state: 'Stale' }),
      entry({
        id: 'c2',
        name: '/db',
        imageName: 'db:2',
        state: 'Skipped',
        error: 'image has no repo digest',
      }),
    ]),
  })
}

describe('status store', () => {
  it('keeps every target with its digests and state, each pass with its per-registry counts', async () => {
    const store = await createStatusStore({ host: HOST, now })
    const session = await pass(store)
    expect(session).toMatchObject({
      id: 1,
      trigger: 'schedule',
      durationMs: 1500,
      scanned: 1,
      stale: 1,
      skipped: 1,
      registries: { '127.0.0.1:5000': { requests: 3, tokenRequests: 1, tokenCacheHits: 1 } },
    })
    const [db, web] = store.targets()
    expect(web).toMatchObject({
      kind: 'container',
      name: 'web',
      host: HOST,
      state: 'stale',
      currentDigest: 'sha256:old',
      latestDigest: 'sha256:new',
      lastCheck: new Date(clock).toISOString(),
      lastUpdate: null,
    })
    expect(db).toMatchObject({ state: 'skipped', reason: 'image has no repo digest', lastCheck: null })
    expect(store.registries()).toEqual([
      expect.objectContaining({
        host: '127.0.0.1:5000',
        requests: 3,
        rateLimitRemaining: 97,
        rateLimitLimit: 100,
      }),
    ])
    expect(store.targets({ states: ['stale'] }).map((t) => t.name)).toEqual(['web'])
    expect(store.targets({ host: 'tcp://elsewhere:2375' })).toEqual([])
  })

  it('a container the cooldown delay holds back is "cooldown" with the time left; a newer tag is named', async () => {
    const store = await createStatusStore({ host: HOST, now })
    store.beginSession('schedule')
    await store.endSession({
      report: buildReport([
        entry({
          waiting: {
            imageName: '127.0.0.1:5000/web:1',
            waitMs: 3_600_000,
            reason: 'the new image is 10m old; the cooldown delay asks for 1h 10m (1h to go)',
          },
        }),
        entry({
          id: 'c3',
          name: '/api',
          imageName: '127.0.0.1:5000/api:1.0.0',
          state: 'Stale',
          tagChange: { from: '1.0.0', to: '1.1.0', newImageName: '127.0.0.1:5000/api:1.1.0' },
        }),
      ]),
    })
    const [api, web] = store.targets()
    expect(web).toMatchObject({ state: 'cooldown', reason: expect.stringContaining('1h to go') })
    expect(api).toMatchObject({ state: 'stale', reason: 'newer tag: 1.0.0 → 1.1.0' })
    expect(store.targets({ states: ['cooldown'] }).map((t) => t.name)).toEqual(['web'])
  })

  it('a progress step marks the target updating (with the step) and tells subscribers', async () => {
    const store = await createStatusStore({ host: HOST, now })
    await pass(store)
    const seen: StatusEvent[] = []
    store.subscribe((e) => seen.push(StatusEvent.parse(e)))
    store.beginSession('api')
    store.progress('/web', 'stop')
    expect(store.targets({ states: ['updating'] })).toEqual([
      expect.objectContaining({ name: 'web', reason: 'stop' }),
    ])
    store.checked('127.0.0.1:5000/web:1', '127.0.0.1:5000/web@sha256:old', 'sha256:new')
    await store.endSession({
      report: buildReport([entry({ state: 'Updated', newId: 'c9', latestImageId: 'sha256:bb' })]),
      partial: true,
    })
    const web = store.targets().find((t) => t.name === 'web')
    expect(web).toMatchObject({
      id: 'c9',
      state: 'up-to-date',
      currentDigest: 'sha256:new',
      currentImageId: 'sha256:bb',
      lastUpdate: new Date(clock).toISOString(),
    })
    // a partial pass (?image=) leaves the other targets as they were
    expect(store.targets().map((t) => t.name)).toEqual(['db', 'web'])
    expect(seen.map((e) => e.type)).toEqual(['session-start', 'progress', 'target', 'target', 'session'])
  })

  it('a fleet pass: each target names its engine, progress names the engine, an engine that failed keeps its targets', async () => {
    const B = 'tcp://10.0.0.2:2376'
    const C = 'ssh://deploy@10.0.0.3'
    const counts = { scanned: 1, updated: 0, failed: 0, skipped: 0, stale: 0, fresh: 1 }
    const store = await createStatusStore({ host: HOST, now })
    const fleet = (entries: ContainerReport[], failed: string[] = []) => ({
      ...buildReport(entries),
      engines: [HOST, B, C].map((host) => ({
        host,
        counts,
        ...(failed.includes(host) ? { error: 'connect ECONNREFUSED' } : {}),
      })),
    })
    store.beginSession('schedule')
    await store.endSession({
      report: fleet([
        entry({ host: HOST, id: 'a1' }),
        entry({ host: B, id: 'b1' }),
        entry({ host: C, id: 'c1' }),
        entry({ host: C, id: 'c2', name: '/db' }),
      ]),
    })
    expect(store.targets().map((t) => `${t.host} ${t.name} ${t.id}`)).toEqual([
      `${C} db c2`,
      `${HOST} web a1`,
      `${B} web b1`,
      `${C} web c1`,
    ])
    const seen: StatusEvent[] = []
    store.subscribe((e) => seen.push(StatusEvent.parse(e)))
    store.beginSession('api')
    store.progress('/web', 'stopping', B)
    expect(seen.filter((e) => e.type === 'progress')).toEqual([
      { type: 'progress', host: B, name: 'web', step: 'stopping' },
    ])
    expect(store.targets({ states: ['updating'] }).map((t) => t.host)).toEqual([B])
    // the next pass: C cannot be reached, db is gone from the main engine's list (it never was there)
    // and B's web is gone: C's targets stay, B's web goes
    await store.endSession({ report: fleet([entry({ host: HOST, id: 'a1' })], [C]) })
    expect(store.targets().map((t) => `${t.host} ${t.name}`)).toEqual([`${C} db`, `${HOST} web`, `${C} web`])
  })

  it('keeps the last 100 passes, newest first', async () => {
    const store = await createStatusStore({ host: HOST, now })
    for (let i = 0; i < MAX_SESSIONS + 5; i++) {
      store.beginSession('schedule')
      await store.endSession({ report: buildReport([]) })
    }
    const s = store.sessions()
    expect(s).toHaveLength(MAX_SESSIONS)
    expect(s[0]!.id).toBe(MAX_SESSIONS + 5)
  })

  it('--state-file: written atomically with mode 0600, read back after a restart', async () => {
    const dir = await tempDir()
    const file = join(dir, 'state.json')
    const first = await createStatusStore({ host: HOST, now, file })
    await pass(first)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['state.json']) // no temporary file left
    StateFile.parse(JSON.parse(await readFile(file, 'utf8')))
    const second = await createStatusStore({ host: HOST, now, file })
    expect(second.sessions()).toEqual(first.sessions())
    expect(second.targets()).toEqual(first.targets())
    expect(second.registries()).toEqual(first.registries())
    second.beginSession('api')
    expect((await second.endSession({ report: buildReport([]), partial: true })).id).toBe(2)
  })

  it('a state file that is not ours starts an empty history and says which file and why', async () => {
    const dir = await tempDir()
    const file = join(dir, 'state.json')
    const warnings: string[] = []
    await writeFile(file, '{"version":7}')
    const store = await createStatusStore({ host: HOST, now, file, onWarning: (m) => warnings.push(m) })
    expect(store.sessions()).toEqual([])
    expect(warnings).toEqual([expect.stringContaining(`the state file ${file} is not a watchtower state`)])
    await writeFile(file, 'not json')
    await createStatusStore({ host: HOST, now, file, onWarning: (m) => warnings.push(m) })
    expect(warnings[1]).toContain('is not JSON')
  })
})

describe('status API', () => {
  async function start(ui: boolean) {
    const store = await createStatusStore({ host: HOST, now })
    await pass(store)
    store.setNextCheck(clock + 60_000)
    server = createApiServer({
      token: 's3cret-token',
      update: true,
      status: store,
      ui,
      onUpdate: async () => ({ skipped: true }),
      onCheck: async () => ({ skipped: false }),
      log: createLogger({ level: 'error', format: 'json', noColor: true, stream: capture() }),
    })
    const { port } = await server.listen(0, '127.0.0.1')
    return { base: `http://127.0.0.1:${port}`, store }
  }
  const auth = { authorization: 'Bearer s3cret-token' }

  it('serves no data without the exact token', async () => {
    const { base } = await start(true)
    for (const path of ['/v1/containers', '/v1/sessions', '/v1/registries', '/v1/events']) {
      for (const headers of <Record<string, string>[]>[
        {},
        { authorization: 'Bearer wrong' },
        { authorization: 's3cret-token' },
      ]) {
        const r = await fetch(base + path, { headers })
        expect(r.status, path).toBe(401)
        expect(await r.text()).toBe('')
      }
    }
    expect((await fetch(`${base}/v1/check`, { method: 'POST' })).status).toBe(401)
  })

  it('answers with the documented schemas; ?state= and ?host= filter, a bad state is a 400', async () => {
    const { base } = await start(false)
    const get = async (path: string) => {
      const r = await fetch(base + path, { headers: auth })
      expect(r.status, path).toBe(200)
      expect(r.headers.get('cache-control')).toBe('no-store')
      return r.json()
    }
    const all = ContainersResponse.parse(await get('/v1/containers'))
    expect(all.containers.map((c) => c.name)).toEqual(['db', 'web'])
    expect(all).toMatchObject({ updateEnabled: true, nextCheck: new Date(clock + 60_000).toISOString() })
    const stale = ContainersResponse.parse(await get('/v1/containers?state=stale,failed'))
    expect(stale.containers.map((c) => c.name)).toEqual(['web'])
    const host = ContainersResponse.parse(await get(`/v1/containers?host=${encodeURIComponent(HOST)}`))
    expect(host.containers).toHaveLength(2)
    expect(ContainersResponse.parse(await get('/v1/containers?host=tcp://other:2375')).containers).toEqual([])
    const head = await fetch(`${base}/v1/events`, { method: 'HEAD', headers: auth })
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8'])
    const bad = await fetch(`${base}/v1/containers?state=stail`, { headers: auth })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toBe(
      'invalid state "stail" in ?state=: use up-to-date, stale, updating, cooldown, failed, skipped, unknown',
    )
    expect(SessionsResponse.parse(await get('/v1/sessions')).sessions).toHaveLength(1)
    expect(RegistriesResponse.parse(await get('/v1/registries')).registries[0]!.host).toBe('127.0.0.1:5000')
    expect((await fetch(`${base}/v1/sessions`, { method: 'DELETE', headers: auth })).status).toBe(405)
    expect(await (await fetch(`${base}/v1/check`, { method: 'POST', headers: auth })).json()).toEqual({
      skipped: false,
    })
    // without --http-api-ui there is no page
    expect((await fetch(`${base}/`)).status).toBe(404)
  })

  it('/v1/events streams every change as server-sent events', async () => {
    const { base, store } = await start(false)
    const ctl = new AbortController()
    const r = await fetch(`${base}/v1/events`, { headers: auth, signal: ctl.signal })
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = (await reader.read()).value ?? ''
    store.beginSession('api')
    store.progress('web', 'create')
    while (!text.includes('event: target')) text += (await reader.read()).value ?? ''
    ctl.abort()
    const blocks = text.split('\n\n').filter((b) => b.startsWith('event:'))
    const events = blocks.map((b) => StatusEvent.parse(JSON.parse(b.split('\ndata: ')[1]!)))
    expect(events.map((e) => e.type)).toEqual(['session-start', 'progress', 'target'])
    expect(events[2]).toMatchObject({ target: { name: 'web', state: 'updating', reason: 'create' } })
  })

  it('the page is served with a strict CSP and holds no data; its script and stylesheet are its own', async () => {
    const { base } = await start(true)
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe')
    const html = await page.text()
    expect(html).not.toContain('web') // no container name, digest or registry in the page itself
    expect(html).not.toMatch(/<script>|<style>|\sstyle=|\son[a-z]+=/) // nothing inline
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//) // no other origin
    for (const [path, type] of [
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
    ] as const) {
      const r = await fetch(base + path)
      expect(r.headers.get('content-type')).toContain(type)
      expect(Number(r.headers.get('content-length'))).toBeLessThan(20_000)
    }
    const js = await (await fetch(`${base}/app.js`)).text()
    expect(js).not.toMatch(/new EventSource|localStorage|innerHTML|[?&]token=/)
    expect(js).toContain("headers: { Authorization: 'Bearer ' + token() }")
  })
})

describe('status page colours', () => {
  /** WCAG 2 contrast ratio of two #rrggbb colours. */
  const contrast = (a: string, b: string) => {
    const lum = (hex: string) => {
      const [r, g, bl] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!
    }
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x)
    return (hi! + 0.05) / (lo! + 0.05)
  }
  const themes = {
    light: APP_CSS.slice(0, APP_CSS.indexOf('@media (prefers-color-scheme: dark)')),
    dark: APP_CSS.slice(APP_CSS.indexOf('@media (prefers-color-scheme: dark)')),
  }
  const PAIRS = [
    ['fg', 'bg'],
    ['muted', 'bg'],
    ['muted', 'card'],
    ['bg', 'accent'], // button text
    ['accent', 'bg'], // secondary buttons, the requests line's label
    ['ok-fg', 'ok-bg'],
    ['warn-fg', 'warn-bg'],
    ['bad-fg', 'bad-bg'],
    ['bad-fg', 'bg'], // errors
    ['info-fg', 'info-bg'],
    ['skip-fg', 'skip-bg'],
  ] as const
  for (const [theme, css] of Object.entries(themes)) {
    it(`${theme} theme: every text colour on its background reaches WCAG AA (4.5:1)`, () => {
      const v = (name: string) => css.match(new RegExp(`--${name}: (#[0-9a-f]{6})`))![1]!
      for (const [fg, bg] of PAIRS) {
        expect(contrast(v(fg), v(bg)), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5)
      }
    })
  }
})
