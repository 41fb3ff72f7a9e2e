import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { TlsError } from './errors.ts'

/**
 * HTTP proxy settings, as the caller read them (this package never reads `process.env`): the
 * values of `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (see {@link proxyConfigFromEnv}).
 */
export interface ProxyConfig {
  /** Proxy for `https://` requests (`HTTPS_PROXY`). `host[:port]` means `http://host[:port]`. */
  httpsProxy?: string
  /** Proxy for `http://` requests (`HTTP_PROXY`). */
  httpProxy?: string
  /** Comma-separated hosts, domains, IPs, CIDRs (each with an optional `:port`), or `*` (`NO_PROXY`). */
  noProxy?: string
}

/** Where one request goes, and why: never a secret (proxy user-info is masked in `proxyShown`). */
export interface ProxyDecision {
  /** The proxy to use; undefined means a direct connection. Holds credentials: never print it. */
  proxy: URL | undefined
  /** The proxy URL with user-info masked (`http://***@proxy:3128`), for logs and credcheck. */
  proxyShown: string | undefined
  /** The variable that named the proxy (`HTTPS_PROXY` / `HTTP_PROXY`), when one applies or was bypassed. */
  variable: 'HTTPS_PROXY' | 'HTTP_PROXY' | undefined
  /** One line: `via HTTPS_PROXY http://***@proxy:3128`, `direct: NO_PROXY entry ".example.com"`, ... */
  reason: string
}

/** Decides the proxy per request URL with the rules of Go's `http.ProxyFromEnvironment`. */
export interface ProxyRules {
  /** True when any proxy is configured at all. */
  readonly enabled: boolean
  decide(url: URL | string): ProxyDecision
}

/**
 * The proxy variables from an environment the caller hands in, as Go's `httpproxy.FromEnvironment`
 * reads them: upper case first, then lower case; an empty value counts as unset.
 */
export function proxyConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ProxyConfig {
  const any = (...names: string[]) => {
    for (const n of names) {
      const v = env[n]
      if (v !== undefined && v !== '') return v
    }
    return undefined
  }
  const out: ProxyConfig = {}
  const https = any('HTTPS_PROXY', 'https_proxy')
  const http = any('HTTP_PROXY', 'http_proxy')
  const no = any('NO_PROXY', 'no_proxy')
  if (https !== undefined) out.httpsProxy = https
  if (http !== undefined) out.httpProxy = http
  if (no !== undefined) out.noProxy = no
  return out
}

/** `http://user:pass@proxy:3128/` → `http://***@proxy:3128`; never shows user-info. */
export function redactProxyUrl(url: URL | string): string {
  let u: URL
  try {
    u = typeof url === 'string' ? parseProxyUrl(url, 'proxy') : url
  } catch {
    return maskUserInfo(String(url))
  }
  const auth = u.username !== '' || u.password !== '' ? '***@' : ''
  return `${u.protocol}//${auth}${u.host}`
}

/** Everything before the last `@` (after the scheme) is user-info, whatever characters it holds. */
function maskUserInfo(raw: string): string {
  const at = raw.lastIndexOf('@')
  if (at === -1) return raw
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)?.[0] ?? ''
  return `${scheme}***@${raw.slice(at + 1)}`
}

const SUPPORTED = new Set(['http:', 'https:', 'socks5:'])

/**
 * A proxy value as Go's `parseProxy` reads it: a full URL, or `host[:port]` meaning
 * `http://host[:port]`. Throws `WT_TLS_INVALID_PROXY` (without the value's user-info) when it is
 * neither, or names a scheme we cannot speak (`http`, `https`, `socks5` are supported).
 */
export function parseProxyUrl(value: string, variable: string): URL {
  const raw = value.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    // no `cause`: Node's "Invalid URL" error carries the input, user-info included
    throw new TlsError(
      'WT_TLS_INVALID_PROXY',
      `${variable} "${maskUserInfo(raw)}" is not a proxy URL (e.g. http://proxy.example.com:3128)`,
    )
  }
  if (!SUPPORTED.has(url.protocol) || url.hostname === '') {
    throw new TlsError(
      'WT_TLS_INVALID_PROXY',
      `${variable} ${redactProxyUrl(url)}: only http://, https:// and socks5:// proxies are supported`,
    )
  }
  return url
}

type Matcher = (host: string, port: string, ip: string | undefined) => string | undefined

function ipBytes(ip: string): number[] | undefined {
  const bare = ip.replace(/^\[|\]$/g, '')
  const v = isIP(bare)
  if (v === 4) return bare.split('.').map(Number)
  if (v !== 6) return undefined
  let text = bare
  let tail: number[] = []
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    tail = v4[1]!.split('.').map(Number)
    text = `${text.slice(0, -v4[1]!.length)}0:0`
  }
  const [head, rest] = text.split('::') as [string, string | undefined]
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => Number.parseInt(h, 16)))
  const a = parse(head)
  const b = rest === undefined ? [] : parse(rest)
  const words = [...a, ...new Array(8 - a.length - b.length).fill(0), ...b]
  const bytes = words.flatMap((w) => [w >> 8, w & 255])
  if (tail.length === 4) bytes.splice(12, 4, ...tail)
  return bytes
}

/** Go's net.IP.Equal: an IPv4 address equals its IPv4-mapped IPv6 form. */
function canonicalIp(ip: string): number[] | undefined {
  const b = ipBytes(ip)
  if (b === undefined) return undefined
  if (b.length === 4) return [...new Array(10).fill(0), 255, 255, ...b]
  return b
}

function sameIp(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function isLoopbackIp(ip: string): boolean {
  const b = canonicalIp(ip)
  if (b === undefined) return false
  const mapped = b.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 255))
  if (mapped) return b[12] === 127
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1
}

function parseCidr(entry: string): Matcher | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(entry)
  if (!m) return undefined
  const base = ipBytes(m[1]!)
  const bits = Number(m[2])
  if (base === undefined || bits > base.length * 8) return undefined
  return (_host, _port, ip) => {
    if (ip === undefined) return undefined
    let addr = ipBytes(ip)
    if (addr === undefined) return undefined
    // Go compares an IPv4 network with the 4-byte form of the address (IPv4-mapped too).
    if (base.length === 4 && addr.length === 16) {
      const mapped = addr.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 255))
      if (!mapped) return undefined
      addr = addr.slice(12)
    }
    if (addr.length !== base.length) return undefined
    for (let i = 0; i < bits; i++) {
      const byte = i >> 3
      const mask = 128 >> (i & 7)
      if ((addr[byte]! & mask) !== (base[byte]! & mask)) return undefined
    }
    return `NO_PROXY entry "${entry}"`
  }
}

/** Splits `host:port` / `[v6]:port` as Go's net.SplitHostPort would, or undefined. */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  if (entry.startsWith('[')) {
    const m = /^\[([^\]]*)\]:([^:]*)$/.exec(entry)
    return m ? { host: m[1]!, port: m[2]! } : undefined
  }
  const i = entry.lastIndexOf(':')
  if (i === -1 || entry.indexOf(':') !== i) return undefined
  return { host: entry.slice(0, i), port: entry.slice(i + 1) }
}

function parseNoProxy(noProxy: string): { all: boolean; ip: Matcher[]; domain: Matcher[] } {
  const ip: Matcher[] = []
  const domain: Matcher[] = []
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return { all: true, ip: [], domain: [] }
    const cidr = parseCidr(entry)
    if (cidr) {
      ip.push(cidr)
      continue
    }
    let phost = entry
    let pport = ''
    const split = splitHostPort(entry)
    if (split) {
      if (split.host === '') continue // malformed (":1"): ignored, as Go does
      phost = split.host
      pport = split.port
    }
    const want = canonicalIp(phost)
    if (want !== undefined) {
      ip.push((_h, port, addr) => {
        const got = addr === undefined ? undefined : canonicalIp(addr)
        return got !== undefined && sameIp(got, want) && (pport === '' || pport === port)
          ? `NO_PROXY entry "${entry}"`
          : undefined
      })
      continue
    }
    if (phost === '') continue
    if (phost.startsWith('*.')) phost = phost.slice(1)
    const matchHost = !phost.startsWith('.')
    if (matchHost) phost = `.${phost}`
    const ascii = domainToASCII(phost.slice(1))
    if (ascii !== '') phost = `.${ascii}`
    const suffix = phost
    domain.push((host, port) =>
      (host.endsWith(suffix) || (matchHost && host === suffix.slice(1))) && (pport === '' || pport === port)
        ? `NO_PROXY entry "${entry}"`
        : undefined,
    )
  }
  return { all: false, ip, domain }
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' }

/**
 * Proxy rules of Go's `http.ProxyFromEnvironment` (golang.org/x/net/http/httpproxy): `https://`
 * requests use `httpsProxy`, `http://` requests `httpProxy`; never for `localhost` or a loopback
 * IP literal (127.0.0.0/8, ::1), whatever NO_PROXY says; `NO_PROXY` entries are `*` (no proxy at
 * all), an IP (`10.0.0.1`, `10.0.0.1:5000`, `[::1]:5000`), a CIDR (`10.0.0.0/8`), or a domain:
 * `example.com` matches it and its subdomains, `.example.com` and `*.example.com` subdomains only;
 * with `:port` only that port (the request's default port counts: 443 / 80).
 *
 * Throws `WT_TLS_INVALID_PROXY` for a proxy value that is no URL (Go ignores it silently and goes
 * direct; we refuse to start rather than bypass the proxy a user set).
 */
export function createProxyRules(config: ProxyConfig = {}): ProxyRules {
  const https = config.httpsProxy ? parseProxyUrl(config.httpsProxy, 'HTTPS_PROXY') : undefined
  const http = config.httpProxy ? parseProxyUrl(config.httpProxy, 'HTTP_PROXY') : undefined
  const no = parseNoProxy(config.noProxy ?? '')
  const direct = (reason: string, variable?: ProxyDecision['variable']): ProxyDecision => ({
    proxy: undefined,
    proxyShown: undefined,
    variable,
    reason,
  })
  return {
    enabled: https !== undefined || http !== undefined,
    decide(input) {
      const url = typeof input === 'string' ? new URL(input) : input
      const variable =
        url.protocol === 'https:' ? 'HTTPS_PROXY' : url.protocol === 'http:' ? 'HTTP_PROXY' : undefined
      const proxy = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined
      if (proxy === undefined || variable === undefined) {
        return direct(variable === undefined ? 'direct' : `direct: ${variable} is not set`)
      }
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
      const port = url.port || DEFAULT_PORTS[url.protocol] || ''
      const literal = isIP(host) !== 0 ? host : undefined
      if (host === 'localhost') return direct('direct: localhost is never proxied', variable)
      if (literal !== undefined && isLoopbackIp(literal))
        return direct(`direct: ${host} is a loopback address (never proxied)`, variable)
      if (no.all) return direct('direct: NO_PROXY is "*"', variable)
      if (literal !== undefined) {
        for (const m of no.ip) {
          const why = m(host, port, literal)
          if (why) return direct(`direct: ${why}`, variable)
        }
      }
      for (const m of no.domain) {
        const why = m(host, port, literal)
        if (why) return direct(`direct: ${why}`, variable)
      }
      const shown = redactProxyUrl(proxy)
      return { proxy, proxyShown: shown, variable, reason: `via ${variable} ${shown}` }
    },
  }
}
