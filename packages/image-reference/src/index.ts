export {
  DOCKER_HUB,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_LEGACY_KEY,
  isDockerHubHost,
  normalizeRegistryHost,
} from './docker-hub.ts'
export {
  ImageReferenceError,
  type ImageReferenceErrorCode,
  type ImageReferenceErrorDetails,
  isImageReferenceError,
} from './errors.ts'
export { matchesAnyReference, matchesReference, sameRepositoryDigests } from './match.ts'
export {
  type ImageReference,
  isImageId,
  parseReference,
  parseRepoDigest,
  tryParseReference,
} from './reference.ts'
