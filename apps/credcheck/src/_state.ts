import type { CredentialResolver, RegistryCredentials } from '@watchtower-ts/credentials'
import type { Exchange, ImageReference, PingResult, RegistryResponse } from '@watchtower-ts/registry-client'
import type { ProxyConfig, TrustStore } from '@watchtower-ts/tls'
import type { PeerCertificateSummary } from './_peer-cert.ts'
import type { ProbeOptions } from './probe.ts'

/** What the steps learn and hand to each other (one object per checked image). */
export interface ProbeState {
  options: Required<Pick<ProbeOptions, 'timeoutMs' | 'certsDirs'>> & ProbeOptions
  resolver: CredentialResolver
  ref?: ImageReference
  credentials?: RegistryCredentials
  trust?: TrustStore
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment credcheck runs in. */
  proxy: ProxyConfig
  /**
   * registry-client's exchange over the trust store's dispatchers, with redirects and without
   * retries: every step reports the first answer it got.
   */
  send?: Exchange
  /** `https://127.0.0.1:5443` (or http:// when the registry speaks plain HTTP). */
  base?: URL
  trustSources: string[]
  certificate?: PeerCertificateSummary
  /** The /v2/ answer, when step 3 already made that request to verify the certificate. */
  ping?: PingResult
  challenge?: PingResult['challenge']
  /** Authorization header value for registry requests (Bearer token / Basic). Secret. */
  authorization?: string
  grantedPull?: boolean
  manifestResponse?: RegistryResponse
  remote?: { digest: string; mediaType: string; childDigests: string[] }
  secrets: string[]
}
