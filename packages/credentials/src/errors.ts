/** Stable codes of every error this package throws. */
export type CredentialsErrorCode =
  | 'WT_CREDENTIALS_INVALID_REGISTRY'
  | 'WT_CREDENTIALS_ENV_INVALID'
  | 'WT_CREDENTIALS_FILE_UNREADABLE'
  | 'WT_CREDENTIALS_CONFIG_INVALID_JSON'
  | 'WT_CREDENTIALS_CONFIG_INVALID'
  | 'WT_CREDENTIALS_AUTH_INVALID'
  | 'WT_CREDENTIALS_HELPER_NOT_FOUND'
  | 'WT_CREDENTIALS_HELPER_FAILED'
  | 'WT_CREDENTIALS_HELPER_TIMEOUT'
  | 'WT_CREDENTIALS_HELPER_INVALID_OUTPUT'

const kBrand = Symbol.for('wt.error.WT_CREDENTIALS')

/** Extra, non-secret facts about what went wrong. */
export interface CredentialsErrorDetails {
  /** File involved (config.json, a `*_FILE` secret). */
  file?: string
  /** Registry the lookup was for. */
  registry?: string
  /** Key inside config.json (`auths["host"]`, `credHelpers`). */
  key?: string
  /** Helper program name (`docker-credential-pass`). */
  helper?: string
  cause?: unknown
}

/**
 * Every error of `@watchtower-ts/credentials`. Messages never contain a secret: helper output is
 * redacted, JSON parse errors are re-described (V8's own message quotes the file's text).
 */
export class CredentialsError extends Error {
  override name = 'CredentialsError' as const
  readonly code: CredentialsErrorCode
  readonly file: string | undefined
  readonly registry: string | undefined
  readonly key: string | undefined
  readonly helper: string | undefined

  constructor(code: CredentialsErrorCode, message: string, details: CredentialsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.file = details.file
    this.registry = details.registry
    this.key = details.key
    this.helper = details.helper
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

/** True for any error thrown by this package (also across duplicate installs). */
export function isCredentialsError(value: unknown): value is CredentialsError {
  return value instanceof CredentialsError
}
