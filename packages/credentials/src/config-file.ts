import { join } from 'node:path'
import { describeJsonError } from './_json-position.ts'
import { CredentialsError } from './errors.ts'

/** One `auths` entry as written in config.json. */
export interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
}

/** The parts of config.json that matter for credentials, validated. */
export interface DockerConfigFile {
  file: string
  auths: ReadonlyMap<string, AuthEntry>
  credHelpers: ReadonlyMap<string, string>
  credsStore: string | undefined
}

/** What `stat` must return: enough to notice an edit or a replaced file (new inode). */
export interface FileStat {
  mtimeMs: number
  ctimeMs?: number
  ino: number
  dev?: number
  size: number
}

export type StatFn = (path: string) => Promise<FileStat>
export type ReadFileFn = (path: string, encoding: 'utf8') => Promise<string>

/** `$DOCKER_CONFIG/config.json` when DOCKER_CONFIG is set and not empty, else `~/.docker/config.json`. */
export function locateDockerConfig(
  env: Readonly<Record<string, string | undefined>>,
  homedir: () => string,
): string {
  const dir = env.DOCKER_CONFIG
  if (dir !== undefined && dir !== '') return join(dir, 'config.json')
  return join(homedir(), '.docker', 'config.json')
}

/**
 * Reads config.json again whenever its stat signature (inode, device, size, mtime, ctime) changes,
 * so an edited file, and a file replaced by a new one (a mounted folder), are picked up without
 * restart. No watcher: one `stat` per call, nothing that keeps the process alive.
 */
export function createConfigLoader(options: { file: string; stat: StatFn; readFile: ReadFileFn }) {
  const { file, stat, readFile } = options
  let signature: string | undefined
  let cached: DockerConfigFile | undefined
  let generation = 0
  let inflight: Promise<LoadResult> | undefined

  async function check(): Promise<boolean> {
    let st: FileStat
    try {
      st = await stat(file)
    } catch (error) {
      if (_isMissing(error)) {
        const changed = signature !== 'missing'
        signature = 'missing'
        cached = undefined
        return changed
      }
      throw unreadableFileError(file, error)
    }
    const next = `${st.dev ?? ''}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs ?? ''}`
    if (next === signature) return false
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if (_isMissing(error)) {
        signature = 'missing'
        cached = undefined
        return true
      }
      throw unreadableFileError(file, error)
    }
    const config = parseDockerConfig(text, file)
    signature = next
    cached = config
    return true
  }

  return {
    file,
    /**
     * The current config (undefined when the file does not exist) and its generation, which goes up
     * each time the file is found changed. Concurrent calls share one stat/read.
     */
    load(): Promise<LoadResult> {
      inflight ??= check()
        .then((changed) => {
          if (changed) generation++
          return { config: cached, generation }
        })
        .finally(() => {
          inflight = undefined
        })
      return inflight
    },
  }
}

export interface LoadResult {
  config: DockerConfigFile | undefined
  generation: number
}

/**
 * Parse and validate config.json text. An empty file is an empty config (as the Docker CLI reads it).
 *
 * @throws CredentialsError `WT_CREDENTIALS_CONFIG_INVALID_JSON` (file, line, column; no file text),
 *   `WT_CREDENTIALS_CONFIG_INVALID` (a field of the wrong type, named by its path).
 */
export function parseDockerConfig(text: string, file: string): DockerConfigFile {
  const body = text.replace(/^\uFEFF/, '')
  let raw: unknown = {}
  if (body.trim() !== '') {
    try {
      raw = JSON.parse(body)
    } catch {
      const at = describeJsonError(body)
      // The SyntaxError is not kept as `cause`: V8 quotes the file's text in it.
      throw new CredentialsError(
        'WT_CREDENTIALS_CONFIG_INVALID_JSON',
        `${file} is not valid JSON: ${at.reason} at line ${at.line} column ${at.column} (position ${at.position})`,
        { file },
      )
    }
  }
  if (!_isObject(raw)) throw _invalid(file, 'the top level', 'a JSON object')
  const auths = new Map<string, AuthEntry>()
  const credHelpers = new Map<string, string>()
  if (raw.auths !== undefined && raw.auths !== null) {
    if (!_isObject(raw.auths)) throw _invalid(file, '"auths"', 'an object')
    for (const [key, entry] of Object.entries(raw.auths)) {
      if (entry === null) continue
      const where = `auths[${JSON.stringify(key)}]`
      if (!_isObject(entry)) throw _invalid(file, where, 'an object', key)
      const out: AuthEntry = {}
      for (const field of ['auth', 'username', 'password', 'identitytoken'] as const) {
        const value = entry[field]
        if (value === undefined || value === null) continue
        if (typeof value !== 'string') throw _invalid(file, `${where}.${field}`, 'a string', key)
        if (value !== '') out[field] = value
      }
      auths.set(key, out)
    }
  }
  if (raw.credHelpers !== undefined && raw.credHelpers !== null) {
    if (!_isObject(raw.credHelpers)) throw _invalid(file, '"credHelpers"', 'an object')
    for (const [key, helper] of Object.entries(raw.credHelpers)) {
      if (typeof helper !== 'string')
        throw _invalid(file, `credHelpers[${JSON.stringify(key)}]`, 'a string', key)
      if (helper !== '')
        credHelpers.set(key, _helperName(file, `credHelpers[${JSON.stringify(key)}]`, helper, key))
    }
  }
  let credsStore: string | undefined
  if (raw.credsStore !== undefined && raw.credsStore !== null) {
    if (typeof raw.credsStore !== 'string') throw _invalid(file, '"credsStore"', 'a string')
    credsStore = raw.credsStore === '' ? undefined : _helperName(file, '"credsStore"', raw.credsStore)
  }
  return { file, auths, credHelpers, credsStore }
}

// --- internal ---

/** `docker-credential-<name>` is looked up on PATH: a name with `/` would run an arbitrary path. */
function _helperName(file: string, where: string, name: string, key?: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return name
  throw new CredentialsError(
    'WT_CREDENTIALS_CONFIG_INVALID',
    `${file}: ${where} must be a helper name such as "pass" or "ecr-login" (docker-credential-<name> on PATH), got ${JSON.stringify(name)}`,
    { file, key },
  )
}

function _isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function _invalid(file: string, where: string, expected: string, key?: string): CredentialsError {
  return new CredentialsError('WT_CREDENTIALS_CONFIG_INVALID', `${file}: ${where} must be ${expected}`, {
    file,
    key,
  })
}

function _isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Names the file and the reason (EACCES, EISDIR, ...). */
export function unreadableFileError(file: string, error: unknown): CredentialsError {
  // already described (a special file, a file over its cap, a read past its deadline)
  if (error instanceof CredentialsError && error.code === 'WT_CREDENTIALS_FILE_UNREADABLE') return error
  const code = (error as { code?: unknown } | null)?.code
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'it is a directory'
        : error instanceof Error
          ? error.message
          : String(error)
  return new CredentialsError(
    'WT_CREDENTIALS_FILE_UNREADABLE',
    `cannot read ${file}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}`,
    { file, cause: error },
  )
}
