/**
 * A real forward proxy (Debian `tinyproxy`, BasicAuth required) on loopback, a registry reached
 * through a host name, and the /etc/hosts lines that make the names resolve to 127.0.0.1.
 *
 * Go's `ProxyFromEnvironment` (watchtower, the Docker CLI, and our tls package) never proxies
 * `localhost` or a loopback IP literal, so proxied requests need names: `registry.wt-proxy.test`
 * (the `proxied` registry: token auth, TLS with the private CA, same storage as `token`) and
 * `token.wt-proxy.test` (the realm it advertises, the bed's token server).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { PROXIED_REGISTRY_HOSTNAME, PROXIED_TOKEN_HOSTNAME, PROXY_DOMAIN } from './_proxy-names.ts'
import { registryAnswers } from './_registries.ts'
import type { TlsFiles } from './_tls.ts'
import { pickPort, pidAlive, spawnDetached, waitFor } from './_util.ts'
import type { ProxyInfo, RegistryInfo, TokenServerInfo } from './types.ts'

export const PROXY_USER = { username: 'wt-proxy-user', password: 'Pr0xy-S3cret-7d41e9' } as const
const HOSTS_FILE = '/etc/hosts'
const HOSTS_MARK = '# watchtower-ts testbed (proxy tests)'
const HOSTS_LINE = `127.0.0.1\t${PROXIED_REGISTRY_HOSTNAME} ${PROXIED_TOKEN_HOSTNAME} ${HOSTS_MARK}`

export const PROXY_PROC = /(^|\/)tinyproxy( |$)/

/** Adds the names to /etc/hosts once (written in place: it may be a bind mount). */
export async function ensureHostsEntry(): Promise<void> {
  const text = await readFile(HOSTS_FILE, 'utf8')
  const lines = text.split('\n')
  if (lines.includes(HOSTS_LINE)) return
  const kept = lines.filter((l) => !l.includes(HOSTS_MARK))
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop()
  await writeFile(HOSTS_FILE, `${[...kept, HOSTS_LINE].join('\n')}\n`)
}

/** Removes the bed's /etc/hosts line (on `down`). */
export async function removeHostsEntry(): Promise<void> {
  const text = await readFile(HOSTS_FILE, 'utf8').catch(() => undefined)
  if (text === undefined || !text.includes(HOSTS_MARK)) return
  await writeFile(
    HOSTS_FILE,
    text
      .split('\n')
      .filter((l) => !l.includes(HOSTS_MARK))
      .join('\n'),
  )
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, timeout: 1_000 })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
    s.once('timeout', () => {
      s.destroy()
      resolve(false)
    })
  })
}

export function proxyInfo(
  dir: string,
  port: number,
  registryPort: number,
  token: TokenServerInfo,
): ProxyInfo {
  const { username, password } = PROXY_USER
  const tokenPort = new URL(token.url).port
  return {
    url: `http://127.0.0.1:${port}`,
    urlWithCredentials: `http://${username}:${password}@127.0.0.1:${port}`,
    username,
    password,
    logFile: join(dir, 'proxy', 'access.log'),
    domain: PROXY_DOMAIN,
    registry: {
      name: 'token',
      host: `${PROXIED_REGISTRY_HOSTNAME}:${registryPort}`,
      url: `https://${PROXIED_REGISTRY_HOSTNAME}:${registryPort}`,
      tls: true,
      auth: 'token',
      logFile: join(dir, 'registries', 'proxied', 'registry.log'),
    },
    tokenRealm: `https://${PROXIED_TOKEN_HOSTNAME}:${tokenPort}/token`,
  }
}

export async function proxyAnswers(
  info: ProxyInfo,
  pid: number | undefined,
  tls: TlsFiles,
): Promise<boolean> {
  return (
    pidAlive(pid, PROXY_PROC) &&
    (await portAnswers(Number(new URL(info.url).port))) &&
    (await registryAnswers(
      { ...info.registry, host: `127.0.0.1:${new URL(info.registry.url).port}` } as RegistryInfo,
      tls,
    ))
  )
}

/** Starts tinyproxy (BasicAuth, its own access log) on a loopback port. */
export async function startProxy(
  dir: string,
  preferredPort: number | undefined,
): Promise<{ pid: number; port: number }> {
  const port = await pickPort(preferredPort)
  const pdir = join(dir, 'proxy')
  await mkdir(pdir, { recursive: true })
  const conf = join(pdir, 'tinyproxy.conf')
  await writeFile(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 120',
      `LogFile "${join(pdir, 'access.log')}"`,
      'LogLevel Connect',
      'MaxClients 100',
      'Allow 127.0.0.1',
      `BasicAuth ${PROXY_USER.username} ${PROXY_USER.password}`,
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  )
  const out = join(pdir, 'tinyproxy.out')
  const pid = spawnDetached('tinyproxy', ['-d', '-c', conf], { logFile: out })
  await waitFor(`tinyproxy on 127.0.0.1:${port}`, () => portAnswers(port), {
    timeoutMs: 15_000,
    logFile: out,
    alive: () => pidAlive(pid),
  })
  return { pid, port }
}

/** The `proxied` registry: like `token` (same storage), but its realm names `token.wt-proxy.test`. */
export async function startProxiedRegistry(
  dir: string,
  preferredPort: number | undefined,
  tls: TlsFiles,
  token: TokenServerInfo,
): Promise<{ pid: number; port: number }> {
  const port = await pickPort(preferredPort)
  const rdir = join(dir, 'registries', 'proxied')
  await mkdir(rdir, { recursive: true })
  await mkdir(join(dir, 'registry-data', 'token'), { recursive: true })
  const tokenPort = new URL(token.url).port
  const config = {
    version: '0.1',
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'registry-data', 'token') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: randomBytes(16).toString('hex'),
      headers: { 'X-Content-Type-Options': ['nosniff'] },
      tls: { certificate: tls.serverCert, key: tls.serverKey },
    },
    auth: {
      token: {
        realm: `https://${PROXIED_TOKEN_HOSTNAME}:${tokenPort}/token`,
        service: token.service,
        issuer: token.issuer,
        rootcertbundle: tls.signingCert,
      },
    },
  }
  const configFile = join(rdir, 'config.yml')
  await writeFile(configFile, JSON.stringify(config, null, 2))
  const logFile = join(rdir, 'registry.log')
  const pid = spawnDetached('docker-registry', ['serve', configFile], { logFile })
  const probe = { host: `127.0.0.1:${port}`, tls: true } as RegistryInfo
  await waitFor(`registry proxied (127.0.0.1:${port})`, () => registryAnswers(probe, tls), {
    timeoutMs: 30_000,
    logFile,
    alive: () => pidAlive(pid),
  })
  return { pid, port }
}
