import { lookup } from 'node:dns/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { TlsError } from './errors.ts'

/**
 * `host[:port]`, lower-cased. Accepts a URL (`https://r.example:5000/v2/` → `r.example:5000`).
 * Throws `WT_TLS_INVALID_HOST` for anything else.
 */
export function normalizeHostPort(input: string, what = 'registry host'): string {
  let value = String(input ?? '').trim()
  if (value.includes('://')) {
    try {
      value = new URL(value).host
    } catch (cause) {
      throw new TlsError('WT_TLS_INVALID_HOST', `${what} "${input}" is not a valid URL`, { cause })
    }
  }
  value = value.replace(/\/+$/, '').toLowerCase()
  if (isIPv6(value)) value = `[${value}]`
  const ok = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/.test(value)
  if (!ok) {
    throw new TlsError(
      'WT_TLS_INVALID_HOST',
      `${what} "${input}" is not HOST[:PORT] (e.g. registry.example.com:5000)`,
    )
  }
  return value
}

/** The host without its port (IPv6 without brackets). */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'))
  if (isIPv6(hostPort)) return hostPort
  const i = hostPort.lastIndexOf(':')
  return i === -1 ? hostPort : hostPort.slice(0, i)
}

/**
 * A literal loopback address: 127.0.0.0/8, ::1 (and ::ffff:127.x). Names, `localhost` included, are
 * not: what they resolve to decides (see {@link resolvesToLoopback}).
 */
export function isLoopbackHost(hostPort: string): boolean {
  const name = hostnameOf(hostPort.toLowerCase())
  if (isIPv4(name)) return name.startsWith('127.')
  if (isIPv6(name)) {
    if (/^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(name)) return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name)
    return mapped !== null && mapped[1]!.startsWith('127.')
  }
  return false
}

/** Whether `hostPort` is listed; an entry without a port matches the host on any port. */
export function matchesHostList(hostPort: string, list: readonly string[]): boolean {
  const name = hostnameOf(hostPort)
  return list.some((entry) => entry === hostPort || (!hasPort(entry) && hostnameOf(entry) === name))
}

function hasPort(hostPort: string): boolean {
  return hostPort.startsWith('[') ? hostPort.includes(']:') : hostPort.includes(':')
}

/** `dns.lookup(name, { all: true })` as {@link resolvesToLoopback} uses it. */
export type LookupAll = (hostname: string) => Promise<readonly { address: string }[]>

const defaultLookup: LookupAll = (hostname) => lookup(hostname, { all: true })

/**
 * Whether a host counts as loopback: a literal loopback address, or `localhost` / `*.localhost`
 * when EVERY address it resolves to is loopback (an /etc/hosts entry or a resolver could point
 * such a name anywhere). Other names never count. A failed lookup is "not loopback".
 */
export async function resolvesToLoopback(
  hostPort: string,
  lookupAll: LookupAll = defaultLookup,
): Promise<boolean> {
  if (isLoopbackHost(hostPort)) return true
  const name = hostnameOf(hostPort.toLowerCase())
  if (name !== 'localhost' && !name.endsWith('.localhost')) return false
  try {
    const addresses = await lookupAll(name)
    return addresses.length > 0 && addresses.every((a) => isLoopbackHost(a.address))
  } catch {
    return false
  }
}
