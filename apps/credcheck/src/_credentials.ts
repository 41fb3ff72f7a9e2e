import type { RegistryCredentials } from '@watchtower-ts/credentials'
import { CheckFailure } from './failures.ts'
import type { StepOutcome } from './probe.ts'

/** Step 2's outcome: where the credentials came from and for whom; never the secret. */
export function describeCredentials(creds: RegistryCredentials): StepOutcome {
  const { source } = creds
  const who =
    creds.kind === 'identity-token'
      ? `identity token${creds.username ? ` for user ${creds.username}` : ''}`
      : `user ${creds.username ?? '(empty)'}`
  return {
    status: 'ok',
    summary:
      creds.kind === 'anonymous'
        ? `anonymous: no credentials for ${creds.registry} in REPO_USER/REPO_PASS${source.file ? ` or ${source.file}` : ''}`
        : `${who} from ${source.description}`,
    details: {
      kind: creds.kind,
      username: creds.username ?? null,
      source: {
        kind: source.kind,
        description: source.description,
        file: source.file ?? null,
        key: source.key ?? null,
        helper: source.helper ?? null,
      },
    },
    notes:
      creds.kind === 'anonymous'
        ? [
            'looked in: env REPO_USER/REPO_PASS, then $DOCKER_CONFIG/config.json credHelpers, credsStore, auths',
          ]
        : [],
  }
}

interface CredsErrorLike {
  code?: unknown
  message?: unknown
  file?: unknown
  helper?: unknown
}

/** Maps a `@watchtower-ts/credentials` error to a cause and a fix. */
export function credentialsFailure(error: unknown, registry: string): CheckFailure {
  const e = (error ?? {}) as CredsErrorLike
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : String(error)
  const file = typeof e.file === 'string' ? e.file : undefined
  const helper = typeof e.helper === 'string' ? e.helper : undefined
  switch (code) {
    case 'WT_CREDENTIALS_CONFIG_INVALID_JSON':
    case 'WT_CREDENTIALS_CONFIG_INVALID':
    case 'WT_CREDENTIALS_AUTH_INVALID':
      return new CheckFailure(
        'WT_CREDCHECK_CONFIG_INVALID',
        `the Docker config file${file ? ` ${file}` : ''} is not valid: ${message}`,
        `fix the file (it must be JSON like {"auths":{"${registry}":{"auth":"<base64 user:password>"}}}), or recreate it with docker login ${registry}`,
        { cause: error },
      )
    case 'WT_CREDENTIALS_HELPER_NOT_FOUND':
      return new CheckFailure(
        'WT_CREDCHECK_HELPER_MISSING',
        `the credential helper${helper ? ` ${helper}` : ''} named in the Docker config is not installed (not found on PATH): ${message}`,
        `install ${helper ?? 'the helper'} (it must be on PATH), or remove it from credHelpers/credsStore in ${file ?? 'config.json'}`,
        { cause: error },
      )
    case 'WT_CREDENTIALS_HELPER_FAILED':
    case 'WT_CREDENTIALS_HELPER_TIMEOUT':
    case 'WT_CREDENTIALS_HELPER_INVALID_OUTPUT':
      return new CheckFailure(
        'WT_CREDCHECK_HELPER_FAILED',
        `the credential helper${helper ? ` ${helper}` : ''} failed: ${message}`,
        `run \`echo ${registry} | ${helper ?? 'docker-credential-<name>'} get\` to see its error (locked keychain, store not initialised, expired login), then log in again with docker login ${registry}`,
        { cause: error },
      )
    case 'WT_CREDENTIALS_FILE_UNREADABLE':
      return new CheckFailure(
        'WT_CREDCHECK_CREDENTIALS',
        `a credentials file cannot be read: ${message}`,
        'check the path and permissions of the file (DOCKER_CONFIG, REPO_USER_FILE, REPO_PASS_FILE)',
        { cause: error },
      )
    default:
      return new CheckFailure(
        'WT_CREDCHECK_CREDENTIALS',
        `the credentials for ${registry} cannot be resolved: ${message}`,
        'check REPO_USER/REPO_PASS/REPO_REGISTRY and $DOCKER_CONFIG/config.json',
        { cause: error },
      )
  }
}
