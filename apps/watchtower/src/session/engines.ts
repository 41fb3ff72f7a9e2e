// The engines a pass covers: each --host value (unix://, tcp:// with TLS, ssh://, or a docker CLI
// context name) → a DockerEngine. Reads the docker config folder and ~/.ssh here, in the app: the
// packages read nothing themselves. Keys and key paths are never printed.

import { createHash, createHmac } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createDockerEngine, type DockerEngine, type SshOptions } from '@watchtower-ts/docker-updater'
import type { WatchtowerConfig } from '../config/types.ts'
import { ConfigError } from '../errors.ts'

export interface EngineTarget {
  /** How reports, logs and metrics name the engine: the --host value as given. */
  host: string
  engine: DockerEngine
}

export interface EngineFiles {
  readFile: (path: string) => Buffer
  isDir: (path: string) => boolean
  exists: (path: string) => boolean
}

const realFiles: EngineFiles = {
  readFile: (p) => readFileSync(p),
  isDir: (p) => {
    try {
      return statSync(p).isDirectory()
    } catch {
      return false
    }
  },
  exists: (p) => existsSync(p),
}

/** A --host value without a scheme that is not `host:port`: a docker CLI context name. */
export function isContextName(value: string): boolean {
  return value !== '' && !value.includes('://') && !value.includes(':') && !value.startsWith('/')
}

/** The docker CLI's built-in context, and where it reaches the engine without DOCKER_HOST. */
const DEFAULT_CONTEXT = 'default'
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'

/** Where the docker CLI keeps contexts: `$DOCKER_CONFIG/contexts` (default `~/.docker`). */
function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME ?? '/root', '.docker')
}

/**
 * A docker CLI context (`docker context create NAME --docker host=…,ca=…,cert=…,key=…`):
 * `contexts/meta/<sha256(name)>/meta.json` names the endpoint, `contexts/tls/<sha256(name)>/docker/`
 * holds its ca.pem, cert.pem and key.pem.
 */
export function readContext(
  name: string,
  env: NodeJS.ProcessEnv,
  files: EngineFiles = realFiles,
): { host: string; certPath?: string; skipTlsVerify: boolean } {
  const id = createHash('sha256').update(name).digest('hex')
  const root = join(dockerConfigDir(env), 'contexts')
  const metaFile = join(root, 'meta', id, 'meta.json')
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } }
  try {
    meta = JSON.parse(files.readFile(metaFile).toString('utf8'))
  } catch (cause) {
    throw new ConfigError(
      `--host ${name}: no docker context of that name (${metaFile} is missing or not JSON); create it with docker context create`,
      { source: '--host', cause },
    )
  }
  const host = meta.Endpoints?.docker?.Host
  if (!host) throw new ConfigError(`docker context ${name} has no docker endpoint host`, { source: '--host' })
  const tlsDir = join(root, 'tls', id, 'docker')
  return {
    host,
    ...(files.isDir(tlsDir) ? { certPath: tlsDir } : {}),
    skipTlsVerify: meta.Endpoints?.docker?.SkipTLSVerify === true,
  }
}

/**
 * How a docker CLI context reaches its engine, as the docker CLI does: TLS exactly when the context
 * has a TLS folder (then with its ca.pem, cert.pem and key.pem, whatever --tlsverify says), plain
 * otherwise. A context made with `skip-tls-verify=true`, or a TLS folder without all three files, is
 * refused by name: watchtower-ts never talks TLS without verifying the engine, and reads every file.
 */
export function contextEndpoint(
  name: string,
  env: NodeJS.ProcessEnv,
  files: EngineFiles = realFiles,
): { url: string; tlsVerify: boolean; certPath?: string } {
  // `default` is the docker CLI's built-in context (it has no files): DOCKER_HOST or the local
  // socket, with TLS when DOCKER_TLS_VERIFY is set (certificates in DOCKER_CERT_PATH, else the docker
  // config folder: DOCKER_CONFIG or ~/.docker, as the docker CLI)
  if (name === DEFAULT_CONTEXT) {
    const url = env.DOCKER_HOST || DEFAULT_DOCKER_HOST
    if (!env.DOCKER_TLS_VERIFY) return { url, tlsVerify: false }
    return { url, tlsVerify: true, certPath: env.DOCKER_CERT_PATH || dockerConfigDir(env) }
  }
  const ctx = readContext(name, env, files)
  if (ctx.skipTlsVerify)
    throw new ConfigError(
      `docker context ${name} skips TLS verification (SkipTLSVerify, made with skip-tls-verify=true): watchtower-ts always verifies the engine's certificate; create the context again with ca=,cert=,key=`,
      { source: '--host' },
    )
  if (!ctx.certPath) return { url: ctx.host, tlsVerify: false }
  const missing = ['ca.pem', 'cert.pem', 'key.pem'].filter((f) => !files.exists(join(ctx.certPath!, f)))
  if (missing.length > 0)
    throw new ConfigError(
      `docker context ${name} has no ${missing.join(', ')} in ${ctx.certPath}: watchtower-ts needs the CA and a client certificate and key (docker context create ${name} --docker host=…,ca=…,cert=…,key=…)`,
      { source: '--host' },
    )
  return { url: ctx.host, tlsVerify: true, certPath: ctx.certPath }
}

/**
 * `--cert-path` with several TLS engines: a folder per engine inside it, named `HOST:PORT` or
 * `HOST`, is used when it exists; else the folder itself (one set of certificates for all).
 */
export function certPathFor(base: string, url: string, files: EngineFiles = realFiles): string {
  try {
    const u = new URL(url.includes('://') ? url : `tcp://${url}`)
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
    for (const sub of [`${host}:${u.port || '2376'}`, host]) {
      const dir = join(base, sub)
      if (files.isDir(dir)) return dir
    }
  } catch {}
  return base
}

/** Login for ssh:// engines: SSH_AUTH_SOCK, else the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
export function sshLogin(host: string, env: NodeJS.ProcessEnv, files: EngineFiles = realFiles): SshOptions {
  const home = env.HOME ?? '/root'
  const sshDir = join(home, '.ssh')
  const url = new URL(host)
  const port = url.port || '22'
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const knownHosts = join(sshDir, 'known_hosts')
  const known = files.exists(knownHosts)
    ? knownKeys(files.readFile(knownHosts).toString('utf8'), hostname, port)
    : []
  const hostVerifier = (key: Buffer) => known.some((k) => k.equals(key))
  const key = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(sshDir, f)).find((p) => files.exists(p))
  if (!env.SSH_AUTH_SOCK && !key)
    throw new ConfigError(
      `--host ${host}: no ssh key (~/.ssh/id_ed25519, id_ecdsa or id_rsa) and no SSH_AUTH_SOCK to log in with`,
      { source: '--host' },
    )
  if (known.length === 0)
    throw new ConfigError(
      `--host ${host}: the host key of ${port === '22' ? hostname : `[${hostname}]:${port}`} is not in ~/.ssh/known_hosts (add it, e.g. ssh-keyscan -p ${port} ${hostname} >> ~/.ssh/known_hosts)`,
      { source: '--host' },
    )
  return {
    ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
    ...(key ? { privateKey: files.readFile(key) } : {}),
    hostVerifier,
  }
}

/** Keys known_hosts lists for `host` (port 22: `host`; else `[host]:port`; hashed entries too). */
export function knownKeys(text: string, host: string, port: string): Buffer[] {
  const name = port === '22' ? host : `[${host}]:${port}`
  const out: Buffer[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0]!.startsWith('@')) continue
    const [patterns, , key] = fields as [string, string, string]
    const match = patterns.split(',').some((p) => {
      if (!p.startsWith('|1|')) return p === name
      const [, , salt, hash] = p.split('|')
      return (
        createHmac('sha1', Buffer.from(salt ?? '', 'base64'))
          .update(name)
          .digest('base64') === hash
      )
    })
    if (match) out.push(Buffer.from(key, 'base64'))
  }
  return out
}

/** Every engine of the configuration, in the order given. */
export function resolveEngines(
  config: WatchtowerConfig,
  env: NodeJS.ProcessEnv,
  files: EngineFiles = realFiles,
): EngineTarget[] {
  const single = config.dockerHosts.length <= 1
  return config.dockerHosts.map((host) => {
    let url = host
    let tlsVerify = config.tlsVerify
    let certPath = config.certPath || env.DOCKER_CERT_PATH || ''
    if (isContextName(host)) {
      const ctx = contextEndpoint(host, env, files)
      url = ctx.url
      tlsVerify = ctx.tlsVerify
      certPath = ctx.certPath ?? ''
    } else if (!single && tlsVerify && certPath) certPath = certPathFor(certPath, host, files)
    const engine = createDockerEngine({
      host: url,
      env: {
        ...env,
        DOCKER_HOST: url,
        DOCKER_TLS_VERIFY: tlsVerify ? '1' : '',
        DOCKER_CERT_PATH: certPath || undefined,
      },
      ...(config.apiVersion ? { apiVersion: config.apiVersion } : {}),
      ...(url.startsWith('ssh://') ? { ssh: sshLogin(url, env, files) } : {}),
      ...(files === realFiles ? {} : { readFile: files.readFile }),
    })
    return { host, engine }
  })
}
