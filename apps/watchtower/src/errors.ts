/** Stable error codes of the watchtower app. */
export type WatchtowerErrorCode =
  | 'WT_WATCHTOWER_CONFIG'
  | 'WT_WATCHTOWER_TEMPLATE'
  | 'WT_WATCHTOWER_NOTIFY'
  | 'WT_WATCHTOWER_API'
  | 'WT_WATCHTOWER_SCHEDULE'
  | 'WT_WATCHTOWER_UPDATE'

/** Base class of every error this app throws on purpose. */
export class WatchtowerError extends Error {
  override name = 'WatchtowerError'
  readonly code: WatchtowerErrorCode
  constructor(code: WatchtowerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/**
 * A bad flag, env var or combination. `source` names where the value came
 * from (`--interval`, `WATCHTOWER_POLL_INTERVAL`, ...).
 */
export class ConfigError extends WatchtowerError {
  override name = 'ConfigError'
  readonly source: string | undefined
  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super('WT_WATCHTOWER_CONFIG', message, options)
    this.source = options?.source
  }
}
