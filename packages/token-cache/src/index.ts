export { cacheKey, normalizeScopes } from './cache-key.ts'
export type { TokenCacheErrorCode, TokenCacheErrorDetails } from './errors.ts'
export { isTokenCacheError, TokenCacheError } from './errors.ts'
export { createTokenCache } from './token-cache.ts'
export type {
  CachedToken,
  CreateTokenCacheOptions,
  FetchedToken,
  TokenCache,
  TokenCacheStats,
  TokenKey,
} from './types.ts'
