import { promises as fsp } from 'node:fs'
import { homedir as osHomedir } from 'node:os'
import { createHelperClient, type HelperCredential } from './_helper-client.ts'
import { decodeAuthString } from './base64.ts'
import {
  type AuthEntry,
  createConfigLoader,
  type DockerConfigFile,
  locateDockerConfig,
  type ReadFileFn,
  type StatFn,
} from './config-file.ts'
import { createRegistryCredentials } from './credentials.ts'
import { readEnvCredentials } from './env.ts'
import { CredentialsError } from './errors.ts'
import { normalizeRegistryKey, serverUrlFor, tryNormalizeRegistryKey } from './normalize.ts'
import { boundedReadFile, FILE_LIMITS } from './read-file.ts'
import { type RunHelper, spawnHelper } from './run-helper.ts'
import type { CredentialResolver, CredentialSource, RegistryCredentials } from './types.ts'

export interface CreateCredentialResolverOptions {
  /** Environment: REPO_USER, REPO_PASS, their `_FILE` variants, REPO_REGISTRY, DOCKER_CONFIG; passed to helpers. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
  /** Home folder, for `~/.docker/config.json`. @default os.homedir */
  homedir?: () => string
  /** config.json to read. @default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` */
  configFile?: string
  /** Used once per `resolve` to notice a changed or replaced config.json. @default fs.promises.stat */
  stat?: StatFn
  /** Reads config.json and `*_FILE` secrets. @default `readBoundedFile` (4 MiB / 64 KiB, 5 s; regular files only) */
  readFile?: ReadFileFn
  /** Runs `docker-credential-<name> get`. @default spawnHelper (spawn, no shell, process-group kill on timeout) */
  runHelper?: RunHelper
  /** A helper that takes longer is stopped and reported. @default 10000 */
  helperTimeoutMs?: number
  /** How long a helper's answer (also "none") is reused; cleared when config.json changes. @default 3600000 (1 h) */
  helperCacheTtlMs?: number
  /** How long a helper failure is reported again without running the helper. @default 5000 */
  helperFailureTtlMs?: number
  /** Clock for the helper cache. @default Date.now */
  now?: () => number
  /** Read REPO_USER / REPO_PASS at all. @default true */
  useEnv?: boolean
  /**
   * Told (once each) about setups that work but are probably not what the user meant:
   * REPO_USER/REPO_PASS without REPO_REGISTRY (sent to every registry), and DOCKER_CONFIG pointing
   * at a folder without config.json. Never given a secret.
   * @default no-op
   */
  onWarning?: (message: string) => void
}

/** A {@link CredentialResolver} that also says which config.json it reads. */
export interface DockerCredentialResolver extends CredentialResolver {
  readonly configFile: string
}

/**
 * Find a registry's credentials as Docker does, in this order (first hit wins):
 * 1. `REPO_USER` + `REPO_PASS` (or `*_FILE`), only for the registries in `REPO_REGISTRY` when set;
 * 2. config.json `credHelpers[host]` → `docker-credential-<name>`;
 * 3. config.json `credsStore` → `docker-credential-<name>`;
 * 4. config.json `auths[host]` (`auth`, `username`/`password`, `identitytoken`);
 * 5. anonymous.
 */
export function createCredentialResolver(
  options: CreateCredentialResolverOptions = {},
): DockerCredentialResolver {
  const env = options.env ?? process.env
  // Bounded in size and time; a FIFO, device or directory is refused (never a hang, never 600 MB).
  const readFile: ReadFileFn = options.readFile ?? boundedReadFile(FILE_LIMITS.config)
  const readSecretFile: ReadFileFn = options.readFile ?? boundedReadFile(FILE_LIMITS.secret)
  const configFile = options.configFile ?? locateDockerConfig(env, options.homedir ?? osHomedir)
  const loader = createConfigLoader({
    file: configFile,
    stat: options.stat ?? ((p) => fsp.stat(p)),
    readFile,
  })
  const helpers = createHelperClient({
    runHelper: options.runHelper ?? spawnHelper,
    env,
    timeoutMs: options.helperTimeoutMs ?? 10_000,
    ttlMs: options.helperCacheTtlMs ?? 3_600_000,
    failureTtlMs: options.helperFailureTtlMs ?? 5_000,
    now: options.now ?? Date.now,
  })

  let helperGeneration = 0
  const warned = new Set<string>()
  const warn = (id: string, message: string) => {
    if (warned.has(id)) return
    warned.add(id)
    options.onWarning?.(message)
  }

  async function fromHelper(
    config: DockerConfigFile,
    host: string,
    helper: string,
    source: CredentialSource,
    via: string,
  ): Promise<RegistryCredentials | undefined> {
    // The canonical server URL first, then other spellings `docker login` may have stored it under.
    const urls = [serverUrlFor(host), ..._matchingKeys(config.auths, host)]
    for (const url of new Set(urls)) {
      const found: HelperCredential | undefined = await helpers.get(helper, url, {
        registry: host,
        via,
        file: config.file,
      })
      if (found) {
        return createRegistryCredentials({
          registry: host,
          kind: found.identityToken ? 'identity-token' : 'basic',
          username: found.username,
          secret: found.secret,
          source,
        })
      }
    }
    return undefined
  }

  async function resolve(registry: string): Promise<RegistryCredentials> {
    const host = normalizeRegistryKey(registry)
    if (options.useEnv !== false) {
      const fromEnv = await readEnvCredentials(env, readSecretFile)
      if (fromEnv && (fromEnv.registries === undefined || fromEnv.registries.includes(host))) {
        if (fromEnv.registries === undefined) {
          warn(
            'env-unscoped',
            `REPO_USER/REPO_PASS are sent to every registry (now ${host}): set REPO_REGISTRY to the registries they are for`,
          )
        }
        return createRegistryCredentials({
          registry: host,
          kind: 'basic',
          username: fromEnv.username,
          secret: fromEnv.password,
          source: fromEnv.source,
        })
      }
    }
    const { config, generation } = await loader.load()
    if (generation !== helperGeneration) {
      helpers.clear() // config.json changed: maybe a new `docker login`, ask helpers again
      helperGeneration = generation
    }
    if (config === undefined) {
      if (env.DOCKER_CONFIG && options.configFile === undefined) {
        warn(
          `missing:${generation}`,
          `DOCKER_CONFIG is ${env.DOCKER_CONFIG} but ${configFile} does not exist: registries without REPO_USER/REPO_PASS are accessed anonymously`,
        )
      }
      return _anonymous(host, configFile)
    }

    const helperKey = _matchingKeys(config.credHelpers, host)[0]
    if (helperKey !== undefined) {
      const helper = config.credHelpers.get(helperKey)!
      const program = `docker-credential-${helper}`
      const via = `credHelpers[${JSON.stringify(helperKey)}] in ${config.file}`
      const found = await fromHelper(
        config,
        host,
        helper,
        {
          kind: 'cred-helper',
          description: `credHelpers → ${program} (config.json ${config.file}, key ${JSON.stringify(helperKey)})`,
          file: config.file,
          key: helperKey,
          helper: program,
        },
        via,
      )
      if (found) return found
    }
    if (config.credsStore !== undefined) {
      const program = `docker-credential-${config.credsStore}`
      const found = await fromHelper(
        config,
        host,
        config.credsStore,
        {
          kind: 'creds-store',
          description: `credsStore → ${program} (config.json ${config.file})`,
          file: config.file,
          helper: program,
        },
        `credsStore in ${config.file}`,
      )
      if (found) return found
    }
    for (const key of _matchingKeys(config.auths, host)) {
      const found = _fromAuthEntry(host, key, config.auths.get(key)!, config.file)
      if (found) return found
    }
    return _anonymous(host, configFile)
  }

  return { configFile, resolve }
}

// --- internal ---

function _anonymous(host: string, file: string): RegistryCredentials {
  return createRegistryCredentials({
    registry: host,
    kind: 'anonymous',
    source: { kind: 'anonymous', description: 'anonymous', file },
  })
}

/** Keys that normalize to `host`: the canonical spelling first, then in file order. */
function _matchingKeys(map: ReadonlyMap<string, unknown>, host: string): string[] {
  const canonical = serverUrlFor(host)
  const keys = [...map.keys()].filter((key) => tryNormalizeRegistryKey(key) === host)
  return keys.sort((a, b) => Number(b === canonical || b === host) - Number(a === canonical || a === host))
}

function _fromAuthEntry(
  host: string,
  key: string,
  entry: AuthEntry,
  file: string,
): RegistryCredentials | undefined {
  const source: CredentialSource = {
    kind: 'auths',
    description: `config.json ${file} auths[${JSON.stringify(key)}]`,
    file,
    key,
  }
  let username = entry.username
  let password = entry.password
  if (entry.auth !== undefined) ({ username, password } = decodeAuthString(entry.auth, key, file))
  if (entry.identitytoken !== undefined) {
    return createRegistryCredentials({
      registry: host,
      kind: 'identity-token',
      username,
      secret: entry.identitytoken,
      source,
    })
  }
  if (username === undefined && password === undefined) return undefined // `{}` placeholder of a helper
  if (username === undefined || password === undefined) {
    const has = username === undefined ? '"password"' : '"username"'
    const lacks = username === undefined ? '"username"' : '"password"'
    throw new CredentialsError(
      'WT_CREDENTIALS_AUTH_INVALID',
      `auths[${JSON.stringify(key)}] in ${file} has ${has} but no ${lacks} (and no "auth")`,
      { key, file, registry: host },
    )
  }
  return createRegistryCredentials({ registry: host, kind: 'basic', username, secret: password, source })
}
