/**
 * What registry-client needs from credentials, token-cache and tls (the shapes of the cross-package
 * contract). credentials and token-cache are imported; tls is a narrow structural view so any
 * `TrustStore` (or a test's dispatcher) fits.
 */
import type { Dispatcher } from 'undici'

export type {
  CredentialResolver as CredentialResolverLike,
  RegistryCredentials as RegistryCredentialsLike,
} from '@watchtower-ts/credentials'
export type {
  FetchedToken as FetchedTokenLike,
  TokenCache as TokenCacheLike,
  TokenCacheStats as TokenCacheStatsLike,
  TokenKey as TokenKeyLike,
} from '@watchtower-ts/token-cache'

export interface RegistryTransportLike {
  dispatcher: Dispatcher
  allowHttp: boolean
  verify: boolean
}
export interface TrustStoreLike {
  transportFor(hostPort: string): Promise<RegistryTransportLike>
  /** Plain words for a failed HTTPS request (tls's `TrustStore.explain`); undefined when not about TLS. */
  explain?(hostPort: string, error: unknown): { code: string; message: string } | undefined
}
