// The status page in a real browser (Debian's chromium, driven by playwright-core) against the
// daemon on the real engine and token registry: sign in, see the containers, update a stale one
// from the page and watch it become up to date; a wrong token shows an error and no data.
// Screenshots (light, dark, phone) go to docs/screenshots/ for the README.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  build,
  cleanupPrefix,
  imageExists,
  imageOf,
  publish,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'
import type { Target } from '../status/schema.ts'
import { ContainersResponse, SessionsResponse } from '../status/schema.ts'

const P = uniqueName('wt-status')
const TOKEN = 'e2e-status-token-7c1f'
/**
 * The README's screenshots (docs/screenshots) are rewritten only when asked (`WT_UPDATE_DOCS=1`), so a
 * test run leaves the work tree as it was; otherwise they go to a temp folder removed at the end.
 */
let SHOTS = new URL('../../../../docs/screenshots/', import.meta.url)
const temps: string[] = []
/** Room for a busy 2-core machine (expect.poll's default is 1 s). */
const SLOW = { timeout: 30_000 }
afterAll(async () => {
  await cleanupPrefix(P)
  for (const d of temps) await rm(d, { recursive: true, force: true })
})

/** Starts the daemon in process; resolves once the API listens. */
async function daemon(args: readonly string[]) {
  let port = 0
  let stop: ((s: string) => void) | undefined
  const done = watchtower(
    [
      '--http-api-update',
      '--http-api-ui',
      '--http-api-token',
      TOKEN,
      '--http-api-port',
      '0',
      '--http-api-host',
      '127.0.0.1',
      '--cleanup', // leaves no old image behind on the shared engine
      ...args,
    ],
    {
      onListening: (p) => {
        port = p
      },
      onShutdown: (h) => {
        stop = h
        return () => {}
      },
    },
  )
  while (!port) await new Promise((r) => setTimeout(r, 20))
  const base = `http://127.0.0.1:${port}`
  return {
    base,
    async get(path: string) {
      const r = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } })
      if (!r.ok) throw new Error(`${path}: ${r.status}`)
      return r.json()
    },
    async stop() {
      stop!('SIGTERM')
      return done
    },
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('status page in a real browser', () => {
  it('sign in, see the containers, "update now" a stale one and watch it become up to date', async () => {
    const a = await publish('token', `alice/${P}-web`, 'v1')
    const b = await publish('open', `${P}-cache`, 'v1')
    await run(`${P}-web`, a.ref)
    await run(`${P}-cache`, b.ref)
    // built here and never pushed: skipped (local-only), without a request to its registry
    const local = `127.0.0.1:9/${P}-local:latest`
    await build(local, 'v1')
    await run(`${P}-local`, local)
    const a2 = await publish('token', `alice/${P}-web`, 'v2')
    const dir = await mkdtemp(join(tmpdir(), 'wt-status-e2e-'))
    temps.push(dir)
    const stateFile = join(dir, 'state.json')

    const names = [`${P}-web`, `${P}-cache`, `${P}-local`]
    const wt = await daemon(['--state-file', stateFile, ...names])
    // the start-up check (nothing updated) tells the page what is stale
    const stale = await until('the start-up check', async () => {
      const r = ContainersResponse.parse(await wt.get('/v1/containers'))
      return r.containers.length === 3 ? r : undefined
    })
    expect(stale.containers.map((c) => [c.name, c.state])).toEqual([
      [`${P}-cache`, 'up-to-date'],
      [`${P}-local`, 'skipped'],
      [`${P}-web`, 'stale'],
    ])
    expect(stale.containers[1]!.reason).toContain('local-only image')
    const web = stale.containers.find((c) => c.name === `${P}-web`) as Target
    expect(web.currentDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(web.latestDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(web.latestDigest).not.toBe(web.currentDigest)
    expect(await imageOf(`${P}-web`)).toBe(a.id)

    const profile = await mkdtemp(join(tmpdir(), 'wt-status-chromium-'))
    temps.push(profile)
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      colorScheme: 'light',
      viewport: { width: 1200, height: 860 },
    })
    try {
      const page = browser.pages()[0] ?? (await browser.newPage())
      const problems: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error' && !/401/.test(m.text())) problems.push(m.text())
      })
      page.on('pageerror', (e) => problems.push(e.message))
      const requests: { url: string; auth: string | undefined }[] = []
      page.on('request', (r) => requests.push({ url: r.url(), auth: r.headers().authorization }))

      await page.goto(`${wt.base}/`)
      // without a token: the sign-in box only
      await expect.poll(() => page.isVisible('#login'), SLOW).toBe(true)
      expect(await page.isVisible('#app')).toBe(false)
      expect(requests.filter((r) => r.url.includes('/v1/'))).toEqual([])

      // a wrong token: an error, no data
      await page.fill('#token', 'not-the-token')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.textContent('#login-error'), SLOW).toContain('refused')
      expect(await page.isVisible('#app')).toBe(false)
      expect(await page.locator('#containers tbody tr').count()).toBe(0)
      expect(await page.evaluate('sessionStorage.length')).toBe(0)

      // the right token, typed and submitted with the keyboard only
      await page.focus('#token')
      await page.keyboard.type(TOKEN)
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.isVisible('#app'), SLOW).toBe(true)
      expect(await page.isVisible('#login')).toBe(false)
      const row = (name: string) => page.locator(`#containers tbody tr[data-name="${name}"]`)
      await expect.poll(() => row(`${P}-web`).getAttribute('data-state'), SLOW).toBe('stale')
      expect(await row(`${P}-cache`).getAttribute('data-state')).toBe('up-to-date')
      expect(await row(`${P}-cache`).locator('button').count()).toBe(0)
      expect(await row(`${P}-local`).getAttribute('data-state')).toBe('skipped')
      expect(await row(`${P}-local`).textContent()).toContain('local-only image')
      expect(await page.evaluate('localStorage.length')).toBe(0)
      expect(await page.locator('#chart svg rect').count()).toBeGreaterThan(0)
      expect(await page.textContent('#registries tbody')).toContain(bed.registries.token.host)

      // search and filter
      await page.fill('#search', 'cache')
      expect(await page.locator('#containers tbody tr').count()).toBe(1)
      await page.fill('#search', '127.0.0.1:9/') // the image too
      expect(await page.locator('#containers tbody tr').count()).toBe(1)
      await page.fill('#search', '')
      await page.selectOption('#state', 'stale')
      expect(await page.locator('#containers tbody tr').count()).toBe(1)
      await page.selectOption('#state', '')

      if (process.env.WT_UPDATE_DOCS !== '1') {
        const dir = await mkdtemp(join(tmpdir(), 'wt-status-shots-'))
        temps.push(dir)
        SHOTS = pathToFileURL(`${dir}/`)
      }
      await mkdir(SHOTS, { recursive: true })
      await page.screenshot({ path: new URL('status-light.png', SHOTS).pathname, fullPage: true })

      // follow the update live: record every state the row goes through
      // (a string: this project's TypeScript has no DOM types)
      await page.evaluate(`(() => {
        window.states = []
        const body = document.querySelector('#containers tbody')
        new MutationObserver(() => {
          for (const tr of body.querySelectorAll('tr[data-state]')) {
            const s = tr.getAttribute('data-state')
            if (tr.getAttribute('data-name').endsWith('-web') && window.states.at(-1) !== s) window.states.push(s)
          }
        }).observe(body, { childList: true, subtree: true })
        window.live = []
        const live = document.getElementById('live')
        new MutationObserver(() => window.live.push(live.textContent)).observe(live, { childList: true, characterData: true, subtree: true })
      })()`)
      // keyboard only: from "Check now", Tab reaches the stale row's button (the fresh row has none)
      expect(
        await row(`${P}-web`)
          .getByRole('button', { name: `Update ${P}-web now` })
          .count(),
      ).toBe(1)
      await page.focus('#check')
      await page.keyboard.press('Tab')
      expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(
        `Update ${P}-web now`,
      )
      await page.keyboard.press('Enter')
      await expect
        .poll(() => row(`${P}-web`).getAttribute('data-state'), { timeout: 90_000 })
        .toBe('up-to-date')
      const states = (await page.evaluate('window.states')) as string[]
      expect(states).toContain('updating')
      expect(states.at(-1)).toBe('up-to-date')
      // the steps of the update, as the progress events the logs print
      const live = (await page.evaluate('window.live')) as string[]
      for (const step of ['pulling', 'stopping', 'creating', 'starting'])
        expect(live).toContain(`${P}-web: ${step}`)
      expect(await row(`${P}-web`).locator('button').count()).toBe(0)
      expect(await imageOf(`${P}-web`)).toBe(a2.id)
      expect(await imageExists(a.id)).toBe(false)

      // every API request carried the token in the header and nowhere else
      const api = requests.filter((r) => new URL(r.url).pathname.startsWith('/v1/'))
      expect(api.length).toBeGreaterThan(3)
      for (const r of api) {
        expect(r.url).not.toContain(TOKEN)
        expect(r.auth === `Bearer ${TOKEN}` || r.auth === 'Bearer not-the-token').toBe(true)
      }
      expect(problems).toEqual([])

      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: new URL('status-dark.png', SHOTS).pathname, fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await page.emulateMedia({ colorScheme: 'light' })
      // the chart is redrawn for the new width
      await expect.poll(() => page.getAttribute('#chart svg', 'viewBox'), SLOW).toMatch(/^0 0 3\d\d /)
      await page.screenshot({ path: new URL('status-phone.png', SHOTS).pathname, fullPage: true })
      for (const shot of ['status-light.png', 'status-dark.png', 'status-phone.png']) {
        const png = await readFile(new URL(shot, SHOTS))
        expect(png.subarray(1, 4).toString('latin1'), shot).toBe('PNG')
        expect(png.length, shot).toBeGreaterThan(10_000)
      }
    } finally {
      await browser.close()
    }

    // a restart with the same --state-file shows the history
    const before = SessionsResponse.parse(await wt.get('/v1/sessions')).sessions
    expect(before.map((s) => s.trigger)).toEqual(['api', 'check'])
    expect(before[0]).toMatchObject({ updated: 1, failed: 0 })
    expect(before[1]!.registries[bed.registries.token.host]?.tokenRequests).toBeGreaterThan(0)
    const first = await wt.stop()
    expect(first.code).toBe(0)
    expect(first.stderr).not.toContain(TOKEN)
    const again = await daemon(['--state-file', stateFile, ...names])
    try {
      const after = SessionsResponse.parse(await again.get('/v1/sessions')).sessions
      expect(after.slice(-2)).toEqual(before)
    } finally {
      await again.stop()
    }
  })
})
