import { createHmac, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { encodeBase64UrlPadded } from './base64.ts'
import { normalizeRegistryKey, serverUrlFor } from './normalize.ts'
import type { CredentialKind, CredentialSource, RegistryCredentials } from './types.ts'

/** Per-process key for fingerprints: stable within the process, useless for guessing passwords offline. */
const FINGERPRINT_KEY = randomBytes(32)

export interface CreateRegistryCredentialsOptions {
  /** Any spelling; normalized with `normalizeRegistryKey`. */
  registry: string
  kind: CredentialKind
  username?: string | undefined
  /** Password (basic) or identity token (identity-token). Ignored for anonymous. */
  secret?: string | undefined
  /** @default `{ kind: 'anonymous', description: 'anonymous' }` */
  source?: CredentialSource
}

/** Build an immutable credential (used by the resolver; handy for tests and other sources). */
export function createRegistryCredentials(options: CreateRegistryCredentialsOptions): RegistryCredentials {
  return new Credentials(options)
}

/** Anonymous access to `registry`. */
export function anonymousCredentials(registry: string): RegistryCredentials {
  return new Credentials({ registry, kind: 'anonymous' })
}

class Credentials implements RegistryCredentials {
  readonly registry: string
  readonly kind: CredentialKind
  readonly username: string | undefined
  readonly source: CredentialSource
  readonly fingerprint: string
  readonly #secret: string | undefined

  constructor(options: CreateRegistryCredentialsOptions) {
    this.registry = normalizeRegistryKey(options.registry)
    this.kind = options.kind
    const anonymous = options.kind === 'anonymous'
    this.username = anonymous ? undefined : options.username
    this.#secret = anonymous ? undefined : (options.secret ?? '')
    this.source = Object.freeze({ ...(options.source ?? { kind: 'anonymous', description: 'anonymous' }) })
    this.fingerprint = anonymous
      ? 'anonymous'
      : `sha256:${createHmac('sha256', FINGERPRINT_KEY)
          .update(`${this.kind}\0${this.username ?? ''}\0${this.#secret}`)
          .digest('hex')
          .slice(0, 32)}`
    Object.freeze(this)
  }

  secret(): string | undefined {
    return this.#secret
  }

  basicAuthorization(): string | undefined {
    if (this.kind !== 'basic') return undefined
    return `Basic ${Buffer.from(`${this.username ?? ''}:${this.#secret ?? ''}`).toString('base64')}`
  }

  engineAuth(serverAddress: string = serverUrlFor(this.registry)): string {
    // Field names as dockerd's AuthConfig JSON (api/types/registry): lower-case.
    let config: Record<string, string> = {}
    if (this.kind === 'basic') {
      config = { username: this.username ?? '', password: this.#secret ?? '', serveraddress: serverAddress }
    } else if (this.kind === 'identity-token') {
      config = { identitytoken: this.#secret ?? '', serveraddress: serverAddress }
      if (this.username) config.username = this.username
    }
    return encodeBase64UrlPadded(JSON.stringify(config))
  }

  toJSON(): Record<string, unknown> {
    return {
      registry: this.registry,
      kind: this.kind,
      username: this.username,
      source: this.source,
      fingerprint: this.fingerprint,
    }
  }

  toString(): string {
    const who = this.kind === 'anonymous' ? 'anonymous' : `${this.kind} ${this.username ?? '(no username)'}`
    return `RegistryCredentials(${this.registry}: ${who} from ${this.source.description})`
  }

  [inspect.custom](_depth: number, options: object): string {
    return `RegistryCredentials ${inspect({ ...this.toJSON(), secret: this.kind === 'anonymous' ? undefined : '[redacted]' }, options)}`
  }
}
