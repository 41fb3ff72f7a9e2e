export type TlsErrorCode =
  /** The CA bundle file is missing or cannot be read. */
  | 'WT_TLS_CA_UNREADABLE'
  /** The CA bundle holds no PEM certificate block. */
  | 'WT_TLS_CA_NO_CERTIFICATE'
  /** A PEM certificate block in the bundle does not parse. */
  | 'WT_TLS_CA_INVALID_CERTIFICATE'
  /** Every certificate in the bundle is expired or not yet valid. */
  | 'WT_TLS_CA_EXPIRED'
  /** `--registry-ca-validate` was set without a CA file. */
  | 'WT_TLS_CA_VALIDATE_WITHOUT_FILE'
  /** A certs.d directory exists but cannot be listed, or a file in it cannot be read. */
  | 'WT_TLS_CERTS_D_UNREADABLE'
  /** A certs.d directory holds a `.key` without its `.cert`. */
  | 'WT_TLS_CERTS_D_LONE_KEY'
  /** A certs.d directory holds a `.cert` without its `.key`. */
  | 'WT_TLS_CERTS_D_LONE_CERT'
  /** A certs.d client certificate and key cannot be used together (mismatch, bad key). */
  | 'WT_TLS_CLIENT_CERT_INVALID'
  /** A registry host (argument or `--insecure-registry` entry) is not `HOST[:PORT]`. */
  | 'WT_TLS_INVALID_HOST'
  /** HTTPS_PROXY / HTTP_PROXY is not a proxy URL, or names a scheme that is not supported. */
  | 'WT_TLS_INVALID_PROXY'
  /** The trust store was used after `close()`. */
  | 'WT_TLS_CLOSED'

const kBrand = Symbol.for('wt.error.tls')

export interface TlsErrorDetails {
  /** The file or directory at fault. */
  file?: string
  cause?: unknown
}

/** Errors of this package; `file` names the file or directory at fault when there is one. */
export class TlsError extends Error {
  override name = 'TlsError' as const
  readonly code: TlsErrorCode
  readonly file: string | undefined

  constructor(code: TlsErrorCode, message: string, details: TlsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.file = details.file
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

/** True for any error thrown by this package (also across duplicate installs). */
export function isTlsError(value: unknown): value is TlsError {
  return value instanceof TlsError
}

/**
 * The error for `--registry-ca-validate` set without `--registry-ca` (the CLI decides when to throw it).
 * @example if (validate && !caFile) throw caValidateWithoutFileError()
 */
export function caValidateWithoutFileError(
  flags = '--registry-ca-validate / WATCHTOWER_REGISTRY_CA_VALIDATE',
  caFlags = '--registry-ca / WATCHTOWER_REGISTRY_CA',
): TlsError {
  return new TlsError(
    'WT_TLS_CA_VALIDATE_WITHOUT_FILE',
    `${flags} is set but no CA bundle is given: pass the file with ${caFlags}`,
  )
}

/** A short human reason for a file-system error: "it does not exist (ENOENT)". */
export function _fsReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code
  switch (code) {
    case 'ENOENT':
      return 'it does not exist (ENOENT)'
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`
    case 'EISDIR':
      return 'it is a directory, not a file (EISDIR)'
    case 'ENOTDIR':
      return 'a part of the path is not a directory (ENOTDIR)'
    default:
      return typeof code === 'string' ? `${(error as Error).message}` : String(error)
  }
}
