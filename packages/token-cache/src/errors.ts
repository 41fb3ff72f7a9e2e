export type TokenCacheErrorCode = 'WT_TOKEN_CACHE_INVALID_KEY' | 'WT_TOKEN_CACHE_INVALID_TOKEN'

const kBrand = Symbol.for('wt.error.token-cache')

/** Errors of this package. Errors thrown by a `fetch()` are passed through unchanged, not wrapped. */
export class TokenCacheError extends Error {
  override name = 'TokenCacheError' as const
  readonly code: TokenCacheErrorCode
  readonly [kBrand] = true

  constructor(code: TokenCacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [kBrand]?: unknown })[kBrand] === true
  }
}

export function isTokenCacheError(value: unknown): value is TokenCacheError {
  return value instanceof TokenCacheError
}
