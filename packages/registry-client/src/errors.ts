/**
 * The registry-client error family. One class, stable `code`s, `cause` kept.
 * Messages follow `<what failed>: <METHOD> <url>` so credcheck can print them as they are;
 * they never hold a secret (no Authorization header, token, password or identity token).
 */

export type RegistryErrorCode =
  /** The token server refused the credentials (401/403 from the realm). */
  | 'WT_REGISTRY_TOKEN_DENIED'
  /** The registry refused the request (401/403 on /v2/... with the credentials or token we had). */
  | 'WT_REGISTRY_UNAUTHORIZED'
  /** Repository or tag (manifest) unknown. */
  | 'WT_REGISTRY_NOT_FOUND'
  /** 429 (or 503 with Retry-After) beyond the retry budget or a Retry-After too far away. */
  | 'WT_REGISTRY_RATE_LIMITED'
  /** Certificate or TLS handshake failure (expired, wrong host, unknown CA, client certificate required). */
  | 'WT_REGISTRY_TLS'
  /** Connection refused/reset, DNS, or a 5xx that outlived the retries. */
  | 'WT_REGISTRY_NETWORK'
  /** A request took longer than `timeoutMs`. */
  | 'WT_REGISTRY_TIMEOUT'
  /** The registry or token server answered something the protocol does not allow. */
  | 'WT_REGISTRY_PROTOCOL'
  /** Credentials were not sent because the realm or a redirect would leak them (https→http, other host). */
  | 'WT_REGISTRY_INSECURE_REALM'
  /** An answer was larger than the cap for its kind (`BODY_LIMITS`); the reading stopped there. */
  | 'WT_REGISTRY_BODY_TOO_LARGE'
  /** The registry asked for a token scope watchtower never requests (only `pull` on the checked repository). */
  | 'WT_REGISTRY_SCOPE_REFUSED'

export interface RegistryErrorDetails {
  /** Normalized registry host the error is about. */
  registry?: string
  /** URL of the failing request (never with credentials). */
  url?: string
  method?: string
  /** HTTP status, when there was a response. */
  status?: number
  /** Milliseconds the server asked us to wait (rate limits). */
  retryAfterMs?: number
  /** Registry error code from the JSON body (`MANIFEST_UNKNOWN`, `DENIED`, ...). */
  registryCode?: string
  cause?: unknown
}

const kBrand = Symbol.for('wt.error.WT_REGISTRY')

export class RegistryError extends Error {
  override name = 'RegistryError' as const
  readonly code: RegistryErrorCode
  readonly registry: string | undefined
  readonly url: string | undefined
  readonly method: string | undefined
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  readonly registryCode: string | undefined

  constructor(code: RegistryErrorCode, message: string, details: RegistryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.registry = details.registry
    this.url = details.url
    this.method = details.method
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
    this.registryCode = details.registryCode
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

export function isRegistryError(value: unknown, code?: RegistryErrorCode): value is RegistryError {
  return value instanceof RegistryError && (code === undefined || value.code === code)
}
