export { decodeAuthString, decodeBase64Lenient, encodeBase64UrlPadded } from './base64.ts'
export {
  type AuthEntry,
  type DockerConfigFile,
  type FileStat,
  locateDockerConfig,
  parseDockerConfig,
  type ReadFileFn,
  type StatFn,
} from './config-file.ts'
export {
  anonymousCredentials,
  type CreateRegistryCredentialsOptions,
  createRegistryCredentials,
} from './credentials.ts'
export { ENV } from './env.ts'
export {
  CredentialsError,
  type CredentialsErrorCode,
  type CredentialsErrorDetails,
  isCredentialsError,
} from './errors.ts'
export {
  DOCKER_HUB,
  DOCKER_HUB_LEGACY_KEY,
  isDockerHub,
  normalizeRegistryKey,
  serverUrlFor,
  tryNormalizeRegistryKey,
} from './normalize.ts'
export { boundedReadFile, FILE_LIMITS, type ReadBoundedFileOptions, readBoundedFile } from './read-file.ts'
export {
  createRedactor,
  proseOnly,
  REDACTED,
  type Redactor,
  type RedactorOptions,
  redactText,
  redactUrl,
  SECRET_ENV_NAME,
  safeExcerpt,
  stripControl,
} from './redact.ts'
export {
  type CreateCredentialResolverOptions,
  createCredentialResolver,
  type DockerCredentialResolver,
} from './resolver.ts'
export {
  type HelperRunResult,
  NOT_FOUND_TEXT,
  type RunHelper,
  type RunHelperOptions,
  spawnHelper,
} from './run-helper.ts'
export type { CredentialKind, CredentialResolver, CredentialSource, RegistryCredentials } from './types.ts'
