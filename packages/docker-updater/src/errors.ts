/** Stable codes of every error this package throws or reports. */
export type UpdaterErrorCode =
  | 'WT_UPDATER_INVALID_OPTION'
  | 'WT_UPDATER_DOCKER_HOST_INVALID'
  | 'WT_UPDATER_ENGINE'
  | 'WT_UPDATER_ENGINE_NOT_FOUND'
  | 'WT_UPDATER_ENGINE_CONFLICT'
  | 'WT_UPDATER_CHECK_FAILED'
  | 'WT_UPDATER_PULL_FAILED'
  | 'WT_UPDATER_DEPENDENCY_CYCLE'
  | 'WT_UPDATER_RECREATE_FAILED'
  | 'WT_UPDATER_ROLLBACK_FAILED'
  | 'WT_UPDATER_UNHEALTHY'
  | 'WT_UPDATER_STOP_FAILED'
  | 'WT_UPDATER_HOOK_FAILED'
  | 'WT_UPDATER_RECOVERY_FAILED'
  | 'WT_UPDATER_SERVICE_ROLLED_BACK'
  | 'WT_UPDATER_SERVICE_PAUSED'
  | 'WT_UPDATER_SERVICE_TIMEOUT'
  | 'WT_UPDATER_SERVICE_CONFLICT'

const kBrand = Symbol.for('wt.error.WT_UPDATER')

/** Extra, non-secret facts about what went wrong. */
export interface UpdaterErrorDetails {
  /** Container name (with leading `/`) or id the error is about. */
  container?: string
  /** Image reference involved. */
  image?: string
  /** Engine operation that failed (`createContainer`, `startContainer`, ...). */
  operation?: string
  /** HTTP status code the engine answered with. */
  statusCode?: number
  /** Names of the containers in a dependency cycle. */
  members?: readonly string[]
  cause?: unknown
}

/** Every error of `@watchtower-ts/docker-updater`. Never carries registry credentials. */
export class UpdaterError extends Error {
  override name = 'UpdaterError' as const
  readonly code: UpdaterErrorCode
  readonly container: string | undefined
  readonly image: string | undefined
  readonly operation: string | undefined
  readonly statusCode: number | undefined
  readonly members: readonly string[] | undefined

  constructor(code: UpdaterErrorCode, message: string, details: UpdaterErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.container = details.container
    this.image = details.image
    this.operation = details.operation
    this.statusCode = details.statusCode
    this.members = details.members
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

/** True for any error thrown by this package (also across duplicate installs). */
export function isUpdaterError(value: unknown): value is UpdaterError {
  return value instanceof UpdaterError
}

/** True when the engine answered 404 for the object. */
export function isNotFound(error: unknown): boolean {
  return isUpdaterError(error) && error.code === 'WT_UPDATER_ENGINE_NOT_FOUND'
}

/**
 * Short text of an error and its causes, for reports and logs. A cause whose text the message
 * already carries (an engine error quotes the socket error it wraps) is not repeated.
 */
export function describeError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const text = current instanceof Error ? current.message : String(current)
    if (!parts.some((p) => p.includes(text))) parts.push(text)
    current = current instanceof Error ? current.cause : undefined
  }
  return parts.join(': ')
}
