import { _CachedToken } from './_cached-token.ts'
import { expiresAtMs } from './_lifetime.ts'
import { cacheKey } from './cache-key.ts'
import { TokenCacheError } from './errors.ts'
import type {
  CachedToken,
  CreateTokenCacheOptions,
  FetchedToken,
  TokenCache,
  TokenCacheStats,
} from './types.ts'

/**
 * An in-memory bearer-token cache: lazy expiry on read (no timers), single flight per key,
 * least-recently-used bound, counters.
 *
 * @example
 * const cache = createTokenCache()
 * const { token } = await cache.get({ realm, service, scopes, identity: creds.fingerprint }, () => fetchToken())
 */
export function createTokenCache(options: CreateTokenCacheOptions = {}): TokenCache {
  const now = options.now ?? Date.now
  const margin = nonNegative(options.refreshMarginMs, 5_000, 'refreshMarginMs')
  const maxEntries = Math.max(1, Math.floor(nonNegative(options.maxEntries, 1_000, 'maxEntries')))
  const maxLifetimeMs = nonNegative(options.maxLifetimeMs, 86_400_000, 'maxLifetimeMs')

  // Map iteration order is insertion order: re-inserting on a hit makes the first key the LRU one.
  const entries = new Map<string, _CachedToken>()
  const inflight = new Map<string, Promise<CachedToken>>()
  const counters = { hits: 0, misses: 0, coalesced: 0, fetches: 0, failures: 0, evictions: 0, expirations: 0 }
  let generation = 0

  const usable = (entry: _CachedToken, at: number): boolean => at < entry.expiresAt - margin

  function lookup(k: string): _CachedToken | undefined {
    const entry = entries.get(k)
    if (entry === undefined) return undefined
    if (usable(entry, now())) return entry
    if (now() >= entry.expiresAt) {
      entries.delete(k)
      counters.expirations++
    }
    return undefined
  }

  function store(k: string, entry: _CachedToken): void {
    entries.delete(k)
    entries.set(k, entry)
    if (entries.size <= maxEntries) return
    const at = now()
    for (const [key, value] of entries) {
      if (entries.size <= maxEntries) return
      if (at >= value.expiresAt) {
        entries.delete(key)
        counters.expirations++
      }
    }
    for (const key of entries.keys()) {
      if (entries.size <= maxEntries) return
      entries.delete(key)
      counters.evictions++
    }
  }

  async function runFetch(
    k: string,
    fetch: () => Promise<FetchedToken>,
    startedIn: number,
  ): Promise<CachedToken> {
    counters.fetches++
    try {
      const fetched = await fetch()
      if (typeof fetched?.token !== 'string' || fetched.token === '') {
        throw new TokenCacheError(
          'WT_TOKEN_CACHE_INVALID_TOKEN',
          'the token endpoint answered without a token',
        )
      }
      const receivedAt = now()
      const entry = new _CachedToken(
        fetched.token,
        expiresAtMs(fetched, receivedAt, maxLifetimeMs),
        receivedAt,
        fetched.refreshToken,
      )
      if (startedIn === generation) store(k, entry)
      return entry
    } catch (error) {
      counters.failures++
      throw error
    }
  }

  return {
    get(key, fetch) {
      let k: string
      try {
        k = cacheKey(key)
      } catch (error) {
        return Promise.reject(error)
      }
      const hit = lookup(k)
      if (hit !== undefined) {
        counters.hits++
        entries.delete(k)
        entries.set(k, hit)
        return Promise.resolve(hit)
      }
      counters.misses++
      const running = inflight.get(k)
      if (running !== undefined) {
        counters.coalesced++
        return running
      }
      const promise = Promise.resolve(generation).then((startedIn) => runFetch(k, fetch, startedIn))
      inflight.set(k, promise)
      // Only this fetch's own record is removed (clear() may have let a newer one start).
      const settle = (): void => {
        if (inflight.get(k) === promise) inflight.delete(k)
      }
      promise.then(settle, settle)
      return promise
    },
    peek(key) {
      const entry = entries.get(cacheKey(key))
      return entry !== undefined && usable(entry, now()) ? entry : undefined
    },
    evict(key, token) {
      const k = cacheKey(key)
      const entry = entries.get(k)
      if (entry === undefined || (token !== undefined && entry.token !== token)) return false
      entries.delete(k)
      counters.evictions++
      return true
    },
    stats(): TokenCacheStats {
      return { ...counters, size: entries.size }
    },
    clear() {
      generation++
      entries.clear()
      inflight.clear()
    },
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`createTokenCache: ${name} must be a number ≥ 0, got ${String(value)}`)
  }
  return value
}
