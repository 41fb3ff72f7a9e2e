// The image reference model lives in @watchtower-ts/image-reference; re-exported so imports from here keep working.
export {
  DOCKER_HUB,
  DOCKER_HUB_API_HOST,
  type ImageReference,
  ImageReferenceError,
  isImageReferenceError,
  normalizeRegistryHost,
  parseReference,
  parseRepoDigest,
} from '@watchtower-ts/image-reference'
export type { RegistryTransportLike as RegistryTransport, TrustStoreLike } from './_deps.ts'
export { BODY_LIMITS, type BodyKind, type BodyStream, type ReadBodyOptions, readBoundedBody } from './body.ts'
export { type Challenge, challengeKey, challengeScopes, parseChallenges, pickChallenge } from './challenge.ts'
export type { CheckResult, RemoteDigest } from './check.ts'
export {
  type CreateRegistryClientOptions,
  createRegistryClient,
  type RegistryClient,
  type RegistryClientStats,
} from './client.ts'
export {
  isRegistryError,
  RegistryError,
  type RegistryErrorCode,
  type RegistryErrorDetails,
} from './errors.ts'
export type { RegistryEvent } from './events.ts'
export {
  type CreateExchangeOptions,
  composeExchange,
  createExchange,
  displayUrl,
  type Exchange,
  type ExchangeInterceptor,
  isTransientFailure,
  limitPerHost,
  type RegistryRequest,
  type RegistryResponse,
  type RequestKind,
  type RetryInfo,
  type RetryOptions,
  redirect,
  retry,
} from './exchange.ts'
export type { ImageConfigInfo } from './image-config.ts'
export {
  fetchManifest,
  type ManifestAnswer,
  type ManifestRequestOptions,
  manifestRequest,
  readManifest,
  sha256Digest,
} from './manifest.ts'
export {
  isIndexMediaType,
  MANIFEST_ACCEPT,
  MEDIA_TYPE_DOCKER_LIST,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.ts'
export { type PingOptions, type PingResult, ping, pingRequest } from './ping.ts'
export { isAttestation, type Platform, platformFromNode, selectPlatform } from './platform.ts'
export { parseRateLimit, parseRetryAfter, type RateLimitInfo } from './rate-limit.ts'
export { registryErrorCode } from './status.ts'
export {
  type ListTagsOptions,
  nextLink,
  readTagsPage,
  type TagList,
  type TagsRequestOptions,
  tagsRequest,
} from './tags.ts'
export {
  type ResolveRealmOptions,
  readTokenResponse,
  requestToken,
  resolveRealm,
  type TokenAttempt,
  type TokenRequest,
} from './token.ts'
