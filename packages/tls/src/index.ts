export { createProxyAgent } from './_proxy-dispatcher.ts'
export type {
  CaBundle,
  CaBundleValidation,
  ReadCaBundleOptions,
  ValidateCaBundleOptions,
} from './ca-bundle.ts'
export { readCaBundle, validateCaBundle } from './ca-bundle.ts'
export type { CertsDirCa, CertsDirEntry, ClientCertificate } from './certs-d.ts'
export { DEFAULT_CERTS_DIRS, readCertsDir } from './certs-d.ts'
export type { TlsErrorCode, TlsErrorDetails } from './errors.ts'
export { caValidateWithoutFileError, isTlsError, TlsError } from './errors.ts'
export type { ExplainContext, TlsExplanation } from './explain.ts'
export { explainTlsError } from './explain.ts'
export {
  hostnameOf,
  isLoopbackHost,
  type LookupAll,
  matchesHostList,
  normalizeHostPort,
  resolvesToLoopback,
} from './host.ts'
export type { ProxyConfig, ProxyDecision, ProxyRules } from './proxy.ts'
export { createProxyRules, parseProxyUrl, proxyConfigFromEnv, redactProxyUrl } from './proxy.ts'
export type { SystemRoots } from './system-roots.ts'
export { DEFAULT_SYSTEM_BUNDLE_PATHS, loadSystemRoots } from './system-roots.ts'
export { createTrustStore, formatTrustDescription } from './trust-store.ts'
export type {
  CertInfo,
  ReadDir,
  ReadFile,
  RegistryTransport,
  TrustDescription,
  TrustOptions,
  TrustSource,
  TrustSourceKind,
  TrustStore,
} from './types.ts'
