import { type ReadFileFn, unreadableFileError } from './config-file.ts'
import { CredentialsError } from './errors.ts'
import { tryNormalizeRegistryKey } from './normalize.ts'
import { REDACTED, stripControl } from './redact.ts'
import type { CredentialSource } from './types.ts'

/** Names of the environment variables this package reads. */
export const ENV = {
  user: 'REPO_USER',
  userFile: 'REPO_USER_FILE',
  pass: 'REPO_PASS',
  passFile: 'REPO_PASS_FILE',
  registry: 'REPO_REGISTRY',
} as const

export interface EnvCredentials {
  username: string
  password: string
  /** Normalized registries the env credentials apply to; undefined = every registry. */
  registries: readonly string[] | undefined
  source: CredentialSource
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * `REPO_USER` + `REPO_PASS` (or `REPO_USER_FILE` / `REPO_PASS_FILE`, files read on every call so
 * rotated secrets are picked up), limited to the registries in `REPO_REGISTRY` (comma-separated)
 * when it is set. Returns undefined when neither user nor password is given.
 *
 * @throws CredentialsError `WT_CREDENTIALS_ENV_INVALID` (half-configured, both X and X_FILE, bad
 *   REPO_REGISTRY), `WT_CREDENTIALS_FILE_UNREADABLE` (a `*_FILE` that cannot be read).
 */
export async function readEnvCredentials(
  env: Env,
  readFile: ReadFileFn,
): Promise<EnvCredentials | undefined> {
  const user = await _value(env, ENV.user, ENV.userFile, readFile)
  const pass = await _value(env, ENV.pass, ENV.passFile, readFile)
  if (user === undefined && pass === undefined) return undefined
  if (user === undefined || pass === undefined) {
    const [set, missing] =
      user === undefined
        ? [pass!.from, 'REPO_USER (or REPO_USER_FILE)']
        : [user.from, 'REPO_PASS (or REPO_PASS_FILE)']
    throw new CredentialsError(
      'WT_CREDENTIALS_ENV_INVALID',
      `${set} is set but ${missing} is not: set both or neither`,
    )
  }
  let registries: string[] | undefined
  const scope = env[ENV.registry]?.trim()
  if (scope) {
    registries = scope
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const host = tryNormalizeRegistryKey(part)
        if (host === undefined) {
          throw new CredentialsError(
            'WT_CREDENTIALS_ENV_INVALID',
            `REPO_REGISTRY: ${JSON.stringify(withoutUserinfo(part))} is not a registry host (expected e.g. "ghcr.io" or "127.0.0.1:5000")`,
            { registry: withoutUserinfo(part) },
          )
        }
        return host
      })
  }
  const files = [user.file, pass.file].filter((f): f is string => f !== undefined)
  const source: CredentialSource = {
    kind: 'env',
    description: `env ${user.from}${pass.from === ENV.pass ? '' : ` + ${pass.from}`}`,
  }
  if (files.length > 0) source.file = files.join(', ')
  return { username: user.value, password: pass.value, registries, source }
}

// --- internal ---

/** An env value as errors show it: `user:password@` (with or without a scheme) hidden. */
function withoutUserinfo(value: string): string {
  const shown = stripControl(value)
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(shown)?.[0] ?? ''
  const rest = shown.slice(scheme.length)
  const slash = rest.search(/[/?#]/)
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  const at = authority.lastIndexOf('@')
  return at === -1 ? shown : `${scheme}${REDACTED}${rest.slice(at)}`
}

async function _value(
  env: Env,
  name: string,
  fileName: string,
  readFile: ReadFileFn,
): Promise<{ value: string; from: string; file?: string } | undefined> {
  const direct = env[name]
  const file = env[fileName]
  if (direct && file) {
    throw new CredentialsError('WT_CREDENTIALS_ENV_INVALID', `set ${name} or ${fileName}, not both`)
  }
  if (direct) return { value: direct, from: name }
  if (!file) return undefined
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const wrapped = unreadableFileError(file, error)
    throw new CredentialsError('WT_CREDENTIALS_FILE_UNREADABLE', `${fileName}: ${wrapped.message}`, {
      file,
      cause: wrapped === error ? undefined : error,
    })
  }
  const value = text.replace(/\r?\n$/, '')
  if (value === '')
    throw new CredentialsError('WT_CREDENTIALS_ENV_INVALID', `${fileName}: ${file} is empty`, { file })
  return { value, from: `${fileName} (${file})`, file }
}
