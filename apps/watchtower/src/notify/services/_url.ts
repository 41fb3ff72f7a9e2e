// Small helpers the service factories share to read shoutrrr-style URLs.
import type { FixedHostService, ServiceContext } from './types.ts'

/** A shoutrrr yes/no query value; `dflt` when missing or empty. */
export const yes = (v: string | null | undefined, dflt = false): boolean =>
  v == null || v === '' ? dflt : /^(yes|true|1|y)$/i.test(v)

export const dec = decodeURIComponent

/** The host part as written (URL lowercases hosts; tokens in that position are case-sensitive). */
export function rawHost(raw: string): string {
  const rest = raw.slice(raw.indexOf('://') + 3)
  const end = rest.search(/[/?#]/)
  const authority = end === -1 ? rest : rest.slice(0, end)
  return authority.slice(authority.lastIndexOf('@') + 1)
}

/** The vendor's fixed base URL, or the loopback server a test put in its place. */
export function base(ctx: ServiceContext, kind: FixedHostService, real: string): string {
  return (ctx.endpoints?.[kind] ?? real).replace(/\/+$/, '')
}

export function json(body: unknown): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
