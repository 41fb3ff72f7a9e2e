/** The bed's real distribution registries (`docker-registry serve`), one process each. */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request } from 'node:https'
import { join } from 'node:path'
import type { TlsFiles } from './_tls.ts'
import { pickPort, pidAlive, runOk, spawnDetached, waitFor } from './_util.ts'
import type { RegistryInfo, RegistryName, TokenServerInfo } from './types.ts'

export const REGISTRY_NAMES: readonly RegistryName[] = [
  'open',
  'basic',
  'token',
  'expired',
  'wronghost',
  'mtls',
]

export const CERTS_D = '/etc/docker/certs.d'

/** User agent of the bed's own health checks (left out by `registryRequests`). */
export const HEALTHCHECK_USER_AGENT = 'wt-testbed-healthcheck'

const AUTH: Record<RegistryName, RegistryInfo['auth']> = {
  open: 'none',
  basic: 'basic',
  token: 'token',
  expired: 'none',
  wronghost: 'none',
  mtls: 'mtls',
}

/** open, expired, wronghost and mtls serve the same storage: push through open, read through any. */
const STORAGE: Record<RegistryName, string> = {
  open: 'open',
  basic: 'basic',
  token: 'token',
  expired: 'open',
  wronghost: 'open',
  mtls: 'open',
}

export function registryInfo(dir: string, name: RegistryName, port: number): RegistryInfo {
  const tls = name !== 'open'
  const host = `127.0.0.1:${port}`
  return {
    name,
    host,
    url: `${tls ? 'https' : 'http'}://${host}`,
    tls,
    auth: AUTH[name],
    logFile: join(dir, 'registries', name, 'registry.log'),
  }
}

/** GET /v2/ answers (200, or 401 for the registries with auth). TLS is not verified here. */
export function registryAnswers(info: RegistryInfo, tls: TlsFiles): Promise<boolean> {
  return new Promise((resolve) => {
    const opts = {
      host: '127.0.0.1',
      port: Number(info.host.split(':')[1]),
      path: '/v2/',
      timeout: 2_000,
      headers: { 'user-agent': HEALTHCHECK_USER_AGENT },
    }
    const onRes = (res: import('node:http').IncomingMessage) => {
      res.resume()
      resolve(res.statusCode === 200 || res.statusCode === 401)
    }
    const req = info.tls
      ? request(
          {
            ...opts,
            rejectUnauthorized: false,
            cert: readFileSync(tls.clientCert),
            key: readFileSync(tls.clientKey),
          },
          onRes,
        )
      : httpRequest(opts, onRes)
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

export interface RegistryUsers {
  alice: string
  bob: string
}

function configFor(
  dir: string,
  name: RegistryName,
  port: number,
  tls: TlsFiles,
  token: TokenServerInfo,
): Record<string, unknown> {
  const http: Record<string, unknown> = {
    addr: `127.0.0.1:${port}`,
    secret: randomBytes(16).toString('hex'),
    headers: { 'X-Content-Type-Options': ['nosniff'] },
  }
  if (name === 'basic' || name === 'token') http['tls'] = { certificate: tls.serverCert, key: tls.serverKey }
  if (name === 'expired') http['tls'] = { certificate: tls.expiredCert, key: tls.expiredKey }
  if (name === 'wronghost') http['tls'] = { certificate: tls.wrongHostCert, key: tls.wrongHostKey }
  if (name === 'mtls') {
    http['tls'] = { certificate: tls.serverCert, key: tls.serverKey, clientcas: [tls.caCert] }
  }
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'registry-data', STORAGE[name]) },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
  }
  if (name === 'basic') {
    config['auth'] = {
      htpasswd: { realm: 'wt-testbed-basic', path: join(dir, 'registries', 'basic', 'htpasswd') },
    }
  }
  if (name === 'token') {
    config['auth'] = {
      token: {
        realm: token.realm,
        service: token.service,
        issuer: token.issuer,
        rootcertbundle: tls.signingCert,
      },
    }
  }
  return config
}

/** Starts one registry on `preferredPort` (or a new free port); returns its info and pid. */
export async function startRegistry(
  dir: string,
  name: RegistryName,
  preferredPort: number | undefined,
  tls: TlsFiles,
  token: TokenServerInfo,
  users: RegistryUsers,
): Promise<{ info: RegistryInfo; pid: number; port: number }> {
  const port = await pickPort(preferredPort)
  const info = registryInfo(dir, name, port)
  const rdir = join(dir, 'registries', name)
  await mkdir(rdir, { recursive: true })
  await mkdir(join(dir, 'registry-data', STORAGE[name]), { recursive: true })
  if (name === 'basic') {
    const lines = await Promise.all(
      Object.entries(users).map(([u, p]) => runOk('htpasswd', ['-Bbn', u, p]).then((l) => l.trim())),
    )
    await writeFile(join(rdir, 'htpasswd'), `${lines.join('\n')}\n`)
  }
  // YAML is a superset of JSON: distribution reads this file as is.
  const configFile = join(rdir, 'config.yml')
  await writeFile(configFile, JSON.stringify(configFor(dir, name, port, tls, token), null, 2))
  if (info.tls) {
    const certsDir = join(CERTS_D, info.host)
    await mkdir(certsDir, { recursive: true })
    await copyFile(tls.caCert, join(certsDir, 'ca.crt'))
    if (name === 'mtls') {
      await copyFile(tls.clientCert, join(certsDir, 'client.cert'))
      await copyFile(tls.clientKey, join(certsDir, 'client.key'))
    }
  }
  const pid = spawnDetached('docker-registry', ['serve', configFile], { logFile: info.logFile })
  await waitFor(`registry ${name} (${info.host})`, () => registryAnswers(info, tls), {
    timeoutMs: 30_000,
    logFile: info.logFile,
    alive: () => pidAlive(pid),
  })
  return { info, pid, port }
}
