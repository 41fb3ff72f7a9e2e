/**
 * Every way a check can fail, with its stable code and the exit code of its class.
 * The table is documented in README.md ("Exit codes"); keep both in sync.
 */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  credentialsConfig: 3,
  tls: 4,
  unreachable: 5,
  credentialsRefused: 6,
  accessDenied: 7,
  notFound: 8,
  rateLimited: 9,
  protocol: 10,
} as const

export type ExitClass = keyof typeof EXIT_CODES

export const FAILURES = {
  WT_CREDCHECK_INVALID_REFERENCE: 'usage',
  WT_CREDCHECK_CONFIG_INVALID: 'credentialsConfig',
  WT_CREDCHECK_HELPER_MISSING: 'credentialsConfig',
  WT_CREDCHECK_HELPER_FAILED: 'credentialsConfig',
  WT_CREDCHECK_CREDENTIALS: 'credentialsConfig',
  WT_CREDCHECK_CA_FILE: 'tls',
  WT_CREDCHECK_TLS_UNKNOWN_CA: 'tls',
  WT_CREDCHECK_TLS_EXPIRED: 'tls',
  WT_CREDCHECK_TLS_WRONG_HOST: 'tls',
  WT_CREDCHECK_TLS_CLIENT_CERTIFICATE: 'tls',
  WT_CREDCHECK_TLS: 'tls',
  WT_CREDCHECK_UNREACHABLE: 'unreachable',
  WT_CREDCHECK_PROXY: 'unreachable',
  WT_CREDCHECK_TOKEN_SERVER_UNREACHABLE: 'unreachable',
  WT_CREDCHECK_TOKEN_DENIED: 'credentialsRefused',
  WT_CREDCHECK_CREDENTIALS_REFUSED: 'credentialsRefused',
  WT_CREDCHECK_NO_CREDENTIALS: 'accessDenied',
  WT_CREDCHECK_ACCESS_DENIED: 'accessDenied',
  WT_CREDCHECK_REPOSITORY_NOT_FOUND: 'notFound',
  WT_CREDCHECK_TAG_NOT_FOUND: 'notFound',
  WT_CREDCHECK_RATE_LIMITED: 'rateLimited',
  WT_CREDCHECK_PROTOCOL: 'protocol',
} as const satisfies Record<string, ExitClass>

export type FailureCode = keyof typeof FAILURES

/**
 * A step failed for a reason credcheck understands: `message` is the cause in plain words
 * (never a secret), `fix` what to do about it.
 */
export class CheckFailure extends Error {
  override name = 'CheckFailure' as const
  readonly code: FailureCode
  readonly fix: string
  constructor(code: FailureCode, message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.fix = fix
  }
  get exitCode(): number {
    return EXIT_CODES[FAILURES[this.code]]
  }
}

/** Thrown by a command to end the CLI with `code` after it has printed its own output. */
export class ExitError extends Error {
  override name = 'ExitError' as const
  readonly code: number
  constructor(code: number, options?: { cause?: unknown }) {
    super(`exit ${code}`, options)
    this.code = code
  }
}
