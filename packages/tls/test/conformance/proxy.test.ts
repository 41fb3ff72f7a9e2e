import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createProxyRules, type ProxyConfig, proxyConfigFromEnv } from '../../src/proxy.ts'

/**
 * Runs every case of proxy.golang.json (Go's own httpproxy tests, each naming repository, file,
 * commit) against createProxyRules / proxyConfigFromEnv. `differs` marks a deliberate difference.
 */
interface Source {
  repository: string
  path: string
  commit: string
  test: string
}
interface ForUrlCase {
  source: Source
  cfg: ProxyConfig & { cgi?: boolean }
  req: string
  want: string
  differs?: { ours: string; reason: string }
}
interface UseCase {
  source: Source
  noProxy: string
  addr: string
  useProxy: boolean
}
interface EnvCase {
  source: Source
  env: Record<string, string>
  want: ProxyConfig
}
const table = JSON.parse(readFileSync(new URL('./proxy.golang.json', import.meta.url), 'utf8')) as {
  forURL: ForUrlCase[]
  useProxy: UseCase[]
  env: EnvCase[]
}

function chosen(c: ForUrlCase): string {
  let rules: ReturnType<typeof createProxyRules>
  try {
    const { cgi: _cgi, ...cfg } = c.cfg
    rules = createProxyRules(cfg)
  } catch (error) {
    expect((error as { code?: string }).code).toBe('WT_TLS_INVALID_PROXY')
    return 'error'
  }
  let url: URL
  try {
    url = new URL(c.req)
  } catch {
    return 'invalid-url'
  }
  const d = rules.decide(url)
  if (d.proxy === undefined) return '<nil>'
  return `${d.proxy.protocol}//${d.proxy.host}`
}

describe("proxy choice agrees with Go's httpproxy", () => {
  it('every case names its source', () => {
    for (const c of [...table.forURL, ...table.useProxy, ...table.env]) {
      expect(c.source.repository).toBe('golang/net')
      expect(c.source.commit).toMatch(/^[0-9a-f]{40}$/)
    }
  })
  const label = (c: ForUrlCase) => `${JSON.stringify(c.cfg)} ${c.req}`
  it.each(table.forURL.filter((c) => !c.differs).map((c) => [label(c), c] as const))('%s', (_, c) => {
    expect(chosen(c)).toBe(c.want)
  })
  it.each(table.forURL.filter((c) => c.differs).map((c) => [label(c), c] as const))(
    'deliberately differs: %s',
    (_, c) => {
      expect(chosen(c)).toBe(c.differs!.ours)
    },
  )
  it.each(
    table.useProxy.map((c) => [`${c.source.test} NO_PROXY=${c.noProxy.slice(0, 20)} ${c.addr}`, c] as const),
  )('%s', (_, c) => {
    const d = createProxyRules({ httpProxy: 'proxy', noProxy: c.noProxy }).decide(`http://${c.addr}/`)
    expect(d.proxy !== undefined, d.reason).toBe(c.useProxy)
  })
  it.each(table.env.map((c) => [c.source.test, c] as const))('%s', (_, c) => {
    expect(proxyConfigFromEnv(c.env)).toEqual(c.want)
  })
})
