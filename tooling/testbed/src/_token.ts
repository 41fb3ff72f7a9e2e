/** Starts the bed's token server (`token-server.mjs`, plain node) on loopback. */

import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { get } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RegistryUsers } from './_registries.ts'
import type { TlsFiles } from './_tls.ts'
import { pickPort, pidAlive, spawnDetached, waitFor } from './_util.ts'
import type { TokenServerInfo } from './types.ts'

export const TOKEN_SERVICE = 'wt-testbed-registry'
export const TOKEN_ISSUER = 'wt-testbed-token-server'

const script = () => fileURLToPath(new URL('./token-server.mjs', import.meta.url))

/** Admin /healthz answers with the expected pid, and the token endpoint answers over TLS. */
export async function tokenServerAnswers(
  info: TokenServerInfo,
  pid: number | undefined,
  tls: TlsFiles,
): Promise<boolean> {
  const health = await new Promise<number | undefined>((resolve) => {
    const req = request(`${info.adminUrl}/healthz`, { timeout: 2_000 }, (res) => {
      let body = ''
      res.on('data', (d) => {
        body += d
      })
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { pid?: number }).pid)
        } catch {
          resolve(undefined)
        }
      })
    })
    req.on('error', () => resolve(undefined))
    req.on('timeout', () => req.destroy())
    req.end()
  })
  if (health === undefined || (pid !== undefined && health !== pid)) return false
  return new Promise((resolve) => {
    const req = get(`${info.url}/healthz`, { ca: readFileSync(tls.caCert), timeout: 2_000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 404)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
  })
}

export async function startTokenServer(
  dir: string,
  preferred: { port?: number; adminPort?: number },
  tls: TlsFiles,
  users: RegistryUsers,
): Promise<{ info: TokenServerInfo; pid: number; port: number; adminPort: number }> {
  const port = await pickPort(preferred.port)
  let adminPort = await pickPort(preferred.adminPort)
  while (adminPort === port) adminPort = await pickPort(undefined)
  const tdir = join(dir, 'token-server')
  await mkdir(tdir, { recursive: true })
  const url = `https://127.0.0.1:${port}`
  const info: TokenServerInfo = {
    url,
    realm: `${url}/token`,
    service: TOKEN_SERVICE,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    issuer: TOKEN_ISSUER,
    signingCert: tls.signingCert,
  }
  const configFile = join(tdir, 'config.json')
  await writeFile(
    configFile,
    JSON.stringify({
      port,
      adminPort,
      cert: tls.serverCert,
      key: tls.serverKey,
      signingCert: tls.signingCert,
      signingKey: tls.signingKey,
      issuer: TOKEN_ISSUER,
      service: TOKEN_SERVICE,
      users,
      rules: [
        { account: 'alice', type: 'repository', prefix: '', actions: ['*'] },
        { account: 'alice', type: 'registry', prefix: '', actions: ['*'] },
        { account: 'bob', type: 'repository', prefix: 'bob/', actions: ['pull', 'push'] },
        { account: '', type: 'repository', prefix: 'public/', actions: ['pull'] },
      ],
    }),
    { mode: 0o600 },
  )
  const logFile = join(tdir, 'token-server.log')
  const pid = spawnDetached(process.execPath, [script(), configFile], { logFile })
  await waitFor('token server', () => tokenServerAnswers(info, pid, tls), {
    timeoutMs: 20_000,
    logFile,
    alive: () => pidAlive(pid),
  })
  return { info, pid, port, adminPort }
}
