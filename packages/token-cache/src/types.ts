/** What a token is cached under. Two keys are equal when every part is equal (scopes as a set). */
export interface TokenKey {
  /**
   * The registry the token is for. Part of the key so that registry B, naming registry A's token
   * server, service and scope in its challenge, never gets a token fetched for A.
   */
  registry?: string
  /** The Bearer challenge's `realm` (the token endpoint URL). */
  realm: string
  /** The Bearer challenge's `service`, when the registry sends one. */
  service?: string
  /** Scopes asked for, e.g. `repository:library/nginx:pull`. Order and duplicates do not matter. */
  scopes: readonly string[]
  /**
   * A stable, non-secret identity of the credential the token is asked with: `'anonymous'` or a
   * fingerprint (a hash) of the credential — e.g. `RegistryCredentials.fingerprint`. Never the secret.
   * It is hashed again before it is used in a key, so anonymous and authenticated tokens never mix.
   */
  identity: string
}

/** What a token endpoint answered, as the registry client read it. */
export interface FetchedToken {
  token: string
  /** `expires_in` in seconds. Absent, zero, negative or not a number → 60; below 60 → 60. */
  expiresIn?: number
  /** `issued_at` (RFC 3339). Used only when it parses and is neither in the future nor already past expiry. */
  issuedAt?: string
  refreshToken?: string
}

/**
 * A cached token. The `token` and `refreshToken` are secrets: they are readable as properties,
 * but `JSON.stringify`, `util.inspect` and `toString` show them redacted.
 */
export interface CachedToken {
  readonly token: string
  /** Epoch ms at which the token expires (the refresh margin is not subtracted here). */
  readonly expiresAt: number
  /** Epoch ms at which the token was received. */
  readonly obtainedAt: number
  readonly refreshToken?: string
}

export interface TokenCacheStats {
  /** `get()` calls answered from the cache. */
  hits: number
  /** `get()` calls that found no usable token (each either started a fetch or joined one). */
  misses: number
  /** Misses that joined a fetch already in flight for the same key (single flight). */
  coalesced: number
  /** Times `fetch()` was called. */
  fetches: number
  /** Fetches that failed (nothing is cached for them). */
  failures: number
  /** Entries removed by `evict()` or to stay under `maxEntries`. */
  evictions: number
  /** Entries dropped because they expired (found on read). */
  expirations: number
  /** Entries held now. */
  size: number
}

export interface TokenCache {
  /**
   * The cached token for `key` while it is usable, else runs `fetch()` and caches what it returns.
   * Concurrent calls for one key share one `fetch()` (single flight); its failure rejects every
   * waiter with the same error and nothing is cached.
   */
  get(key: TokenKey, fetch: () => Promise<FetchedToken>): Promise<CachedToken>
  /** The usable cached token for `key`, without fetching, counting or reordering. */
  peek(key: TokenKey): CachedToken | undefined
  /**
   * Drops the token for `key` (e.g. after the registry answered 401 with it). When `token` is
   * given, drops only if the cached token is that one, so a token another caller just refreshed
   * survives. Returns whether something was dropped.
   */
  evict(key: TokenKey, token?: string): boolean
  stats(): TokenCacheStats
  /** Drops every token; fetches in flight still answer their callers but are not cached. */
  clear(): void
}

export interface CreateTokenCacheOptions {
  /**
   * The clock, in epoch ms. No timers are used: expiry is checked on read.
   * @default Date.now
   */
  now?: () => number
  /**
   * A token is not handed out in its last `refreshMarginMs` (the next `get()` fetches a new one),
   * so a request never leaves with a token that expires on the way. With the 60 s floor on
   * lifetimes this is always under 10% of a token's life.
   * @default 5000
   */
  refreshMarginMs?: number
  /**
   * At most this many tokens are kept; past it, expired ones go first, then the least recently used.
   * @default 1000
   */
  maxEntries?: number
  /**
   * Lifetimes above this are cut to it (a huge `expires_in` never pins a token for days).
   * @default 86_400_000 (24 h)
   */
  maxLifetimeMs?: number
}
