export type CredentialKind = 'basic' | 'identity-token' | 'anonymous'

/** Where a credential came from, for logs and credcheck. Never holds a secret. */
export interface CredentialSource {
  kind: 'env' | 'auths' | 'cred-helper' | 'creds-store' | 'anonymous'
  /**
   * Human text, e.g. `env REPO_USER`, `config.json /root/.docker/config.json auths["127.0.0.1:5000"]`,
   * `credHelpers → docker-credential-pass`, `credsStore → docker-credential-pass`, `anonymous`.
   */
  description: string
  /** config.json (or `*_FILE` secret) the credential was read from. */
  file?: string
  /** Key inside config.json (`auths` / `credHelpers` key as written). */
  key?: string
  /** Helper program, e.g. `docker-credential-pass`. */
  helper?: string
}

/** Immutable; secrets hidden from toString/inspect/JSON. */
export interface RegistryCredentials {
  /** Normalized registry host (`docker.io` for Hub, `127.0.0.1:5000`, ...). */
  readonly registry: string
  readonly kind: CredentialKind
  readonly username: string | undefined
  readonly source: CredentialSource
  /** Stable non-secret identity for cache keys: `anonymous` or `sha256:<hmac of kind+username+secret>`. */
  readonly fingerprint: string
  /** The password (basic) or identity/refresh token (identity-token); undefined when anonymous. */
  secret(): string | undefined
  /** `Basic base64(user:pass)` for basic, undefined otherwise. */
  basicAuthorization(): string | undefined
  /** X-Registry-Auth value for the Docker engine (base64url JSON AuthConfig; `{}` for anonymous). */
  engineAuth(serverAddress?: string): string
}

export interface CredentialResolver {
  /** `registry` is the host part of an image reference (docker.io, index.docker.io, 127.0.0.1:5000, ...). */
  resolve(registry: string): Promise<RegistryCredentials>
}
