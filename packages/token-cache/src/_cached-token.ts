import { inspect } from 'node:util'
import type { CachedToken } from './types.ts'

const REDACTED = '[redacted]'

/** A `CachedToken` whose secrets stay out of JSON, `util.inspect` and `toString`. */
export class _CachedToken implements CachedToken {
  readonly #token: string
  readonly #refreshToken: string | undefined
  readonly expiresAt: number
  readonly obtainedAt: number

  constructor(token: string, expiresAt: number, obtainedAt: number, refreshToken?: string) {
    this.#token = token
    this.#refreshToken = refreshToken
    this.expiresAt = expiresAt
    this.obtainedAt = obtainedAt
    Object.freeze(this)
  }

  get token(): string {
    return this.#token
  }

  get refreshToken(): string | undefined {
    return this.#refreshToken
  }

  toJSON(): Record<string, unknown> {
    return {
      token: REDACTED,
      expiresAt: this.expiresAt,
      obtainedAt: this.obtainedAt,
      ...(this.#refreshToken === undefined ? {} : { refreshToken: REDACTED }),
    }
  }

  toString(): string {
    return `CachedToken(${REDACTED}, expires ${new Date(this.expiresAt).toISOString()})`
  }

  [inspect.custom](): string {
    return this.toString()
  }
}
