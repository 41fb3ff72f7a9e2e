export type TokenCacheErrorCode = 'WT_TOKEN_CACHE_INVALID_KEY' | 'WT_TOKEN_CACHE_INVALID_TOKEN'

const kBrand = Symbol.for('wt.error.token-cache')

export interface TokenCacheErrorDetails {
  cause?: unknown
}

/** Errors of this package. Errors thrown by a `fetch()` are passed through unchanged, not wrapped. */
export class TokenCacheError extends Error {
  override name = 'TokenCacheError' as const
  readonly code: TokenCacheErrorCode

  constructor(code: TokenCacheErrorCode, message: string, details: TokenCacheErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

/** True for any error thrown by this package (also across duplicate installs). */
export function isTokenCacheError(value: unknown): value is TokenCacheError {
  return value instanceof TokenCacheError
}
