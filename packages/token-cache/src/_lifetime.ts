import type { FetchedToken } from './types.ts'

/** The Docker token spec's default and minimum `expires_in`, in seconds. */
export const MIN_EXPIRES_IN_S = 60

// RFC 3339 date-time (Date.parse alone accepts far too much, e.g. "1" → 2001).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** Lifetime in ms: `expires_in` if it is a number ≥ 60 s, else 60 s; never above `maxLifetimeMs`. */
export function lifetimeMs(expiresIn: unknown, maxLifetimeMs: number): number {
  const seconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > MIN_EXPIRES_IN_S
      ? expiresIn
      : MIN_EXPIRES_IN_S
  return Math.min(seconds * 1000, maxLifetimeMs)
}

/**
 * When the token's life started: `issued_at` when it parses as RFC 3339 and is sane (not after
 * receipt, and not so old the token would already be expired), else the time of receipt.
 */
export function startMs(issuedAt: unknown, receivedAt: number, lifetime: number): number {
  if (typeof issuedAt !== 'string' || !RFC3339.test(issuedAt)) return receivedAt
  const t = Date.parse(issuedAt)
  if (!Number.isFinite(t) || t > receivedAt || t + lifetime <= receivedAt) return receivedAt
  return t
}

/** Epoch ms at which a token received at `receivedAt` expires. */
export function expiresAtMs(fetched: FetchedToken, receivedAt: number, maxLifetimeMs: number): number {
  const lifetime = lifetimeMs(fetched.expiresIn, maxLifetimeMs)
  return startMs(fetched.issuedAt, receivedAt, lifetime) + lifetime
}
