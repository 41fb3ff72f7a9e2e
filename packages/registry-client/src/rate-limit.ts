/**
 * Rate-limit headers and Retry-After.
 *
 * Docker Hub: `ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`; a comma may list
 * more policies (the first one is kept). No headers means no limit is announced.
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3); past dates mean "now".
 */

export interface RateLimitInfo {
  limit?: number
  remaining?: number
  /** Window in seconds (`w=`), when given. */
  windowSeconds?: number
}

function parsePolicy(value: string | undefined): { n: number; w?: number } | undefined {
  if (!value) return undefined
  const first = value.split(',')[0]!.trim()
  const [count, ...params] = first.split(';').map((p) => p.trim())
  if (!count || !/^\d+$/.test(count)) return undefined
  const out: { n: number; w?: number } = { n: Number(count) }
  for (const p of params) {
    const m = /^w\s*=\s*(\d+)$/i.exec(p)
    if (m) out.w = Number(m[1])
  }
  return out
}

/** Reads `ratelimit-limit` / `ratelimit-remaining`; undefined when neither is present or parseable. */
export function parseRateLimit(
  headers: Record<string, string | string[] | undefined>,
): RateLimitInfo | undefined {
  const limit = parsePolicy(firstHeader(headers['ratelimit-limit']))
  const remaining = parsePolicy(firstHeader(headers['ratelimit-remaining']))
  if (!limit && !remaining) return undefined
  const info: RateLimitInfo = {}
  if (limit) info.limit = limit.n
  if (remaining) info.remaining = remaining.n
  const w = limit?.w ?? remaining?.w
  if (w !== undefined) info.windowSeconds = w
  return info
}

/** Milliseconds to wait from a `Retry-After` value; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
