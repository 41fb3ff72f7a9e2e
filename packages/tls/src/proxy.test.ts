import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createProxyAgent, ProxyRoutingDispatcher } from './_proxy-dispatcher.ts'
import { createProxyRules, parseProxyUrl, proxyConfigFromEnv, redactProxyUrl } from './proxy.ts'
import { createTrustStore } from './trust-store.ts'

const SECRET = 'S3cret-pr0xy-pass'
const WITH_CREDS = `http://proxyuser:${SECRET}@proxy.example.org:3128`
const b64 = Buffer.from(`proxyuser:${SECRET}`).toString('base64')

function shown(value: unknown): string {
  return `${String(value)}\n${inspect(value, { depth: 30, showHidden: true })}\n${JSON.stringify(value) ?? ''}`
}

describe('proxy values', () => {
  it('host[:port] means http://; user-info is masked when shown', () => {
    expect(parseProxyUrl('proxy.example.org:3128', 'HTTPS_PROXY').href).toBe('http://proxy.example.org:3128/')
    expect(redactProxyUrl(WITH_CREDS)).toBe('http://***@proxy.example.org:3128')
    expect(redactProxyUrl('proxyuser:pass@proxy:3128')).toBe('http://***@proxy:3128')
    expect(redactProxyUrl('https://proxy.example.org')).toBe('https://proxy.example.org')
  })

  it.each([
    [`ftp://proxyuser:${SECRET}@proxy.example.org`, 'only http://, https:// and socks5://'],
    [`http://proxyuser:${SECRET}@[bad`, 'is not a proxy URL'],
    [`http://proxyuser:${SECRET}/x@proxy:3128`, 'is not a proxy URL'],
  ])('refuses %s with WT_TLS_INVALID_PROXY naming the variable, never the password', (value, words) => {
    let error: unknown
    try {
      createProxyRules({ httpsProxy: value })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'WT_TLS_INVALID_PROXY' })
    expect((error as Error).message).toContain('HTTPS_PROXY')
    expect((error as Error).message).toContain(words)
    expect(shown(error)).not.toContain(SECRET)
  })

  it('the environment: upper case first, lower case next, empty is unset', () => {
    expect(proxyConfigFromEnv({ https_proxy: 'a', HTTPS_PROXY: '', no_proxy: 'x', NO_PROXY: 'y' })).toEqual({
      httpsProxy: 'a',
      noProxy: 'y',
    })
    expect(proxyConfigFromEnv({})).toEqual({})
  })

  it('decisions say why, with the proxy masked', () => {
    const rules = createProxyRules({
      httpsProxy: WITH_CREDS,
      noProxy: '.lan, 10.0.0.0/8, reg.example.org:5000',
    })
    expect(rules.decide('https://ghcr.io/v2/').reason).toBe(
      'via HTTPS_PROXY http://***@proxy.example.org:3128',
    )
    expect(rules.decide('https://a.lan/').reason).toBe('direct: NO_PROXY entry ".lan"')
    expect(rules.decide('https://10.1.2.3:5000/').reason).toBe('direct: NO_PROXY entry "10.0.0.0/8"')
    expect(rules.decide('https://reg.example.org:5000/').reason).toBe(
      'direct: NO_PROXY entry "reg.example.org:5000"',
    )
    expect(rules.decide('https://reg.example.org/').proxy?.host).toBe('proxy.example.org:3128')
    expect(rules.decide('https://127.0.0.1:5000/').reason).toBe(
      'direct: 127.0.0.1 is a loopback address (never proxied)',
    )
    expect(rules.decide('https://[::1]:5000/').reason).toBe(
      'direct: ::1 is a loopback address (never proxied)',
    )
    expect(rules.decide('https://localhost:5000/').reason).toBe('direct: localhost is never proxied')
    expect(rules.decide('http://ghcr.io/').reason).toBe('direct: HTTP_PROXY is not set')
    for (const url of ['https://ghcr.io/', 'https://a.lan/'])
      expect(shown(rules.decide(url).reason)).not.toContain(SECRET)
  })
})

describe('dispatchers never show the proxy credentials', () => {
  it('a ProxyAgent keeps them only in its Proxy-Authorization header, hidden from inspect', async () => {
    const agent = createProxyAgent(new URL(WITH_CREDS), {})
    const router = new ProxyRoutingDispatcher({ direct: agent, https: agent })
    try {
      for (const v of [agent, router]) {
        expect(inspect(v, { depth: 30 })).not.toContain(SECRET)
        expect(inspect(v, { depth: 30 })).not.toContain(b64)
        expect(JSON.stringify(router)).toBe('{}')
      }
    } finally {
      await agent.close()
    }
  })

  it('the trust store: transport and description name the route, masked', async () => {
    const store = await createTrustStore({
      certsDirs: [],
      proxy: { httpsProxy: WITH_CREDS, noProxy: '.lan' },
    })
    try {
      const t = await store.transportFor('registry.example.org:5000')
      expect(t.proxy).toEqual({
        https: 'via HTTPS_PROXY http://***@proxy.example.org:3128',
        http: 'direct: HTTP_PROXY is not set',
      })
      const d = await store.describe('registry.example.org:5000')
      expect(d.sources.at(-1)).toMatchObject({ kind: 'proxy' })
      expect((await store.transportFor('r.lan')).proxy.https).toBe('direct: NO_PROXY entry ".lan"')
      expect(shown(t)).not.toContain(SECRET)
      expect(shown(d)).not.toContain(SECRET)
      expect(shown(t)).not.toContain(b64)
    } finally {
      await store.close()
    }
  })
})
