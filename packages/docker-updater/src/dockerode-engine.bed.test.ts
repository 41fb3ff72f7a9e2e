import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import type {} from '@watchtower-ts/testbed'
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import { parseDockerHost } from './_docker-host.ts'
import { createDockerEngine, MAX_API_VERSION } from './dockerode-engine.ts'
import { isUpdaterError } from './errors.ts'

const bed = inject('testbed')
const servers: Server[] = []
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r))
})

/** A loopback TCP (or TLS) front for the real engine's unix socket. */
async function engineProxy(tls?: { cert: string; key: string; ca: string }): Promise<number> {
  const pipe = (client: import('node:net').Socket) => {
    const upstream = connect(bed.docker.socketPath)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  }
  const server = tls
    ? createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, pipe)
    : createServer(pipe)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as import('node:net').AddressInfo).port
}

describe('parseDockerHost', () => {
  it('reads unix, tcp and tcp+TLS the way the docker CLI does', () => {
    expect(parseDockerHost(undefined, {})).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' })
    expect(parseDockerHost('unix:///run/x.sock', {})).toEqual({ kind: 'unix', socketPath: '/run/x.sock' })
    expect(parseDockerHost(undefined, { DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
      tls: false,
    })
    expect(parseDockerHost('127.0.0.1', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' })).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2376,
      tls: true,
      certPath: '/certs',
    })
    expect(parseDockerHost('tcp://[::1]:9', { DOCKER_TLS_VERIFY: '1', HOME: '/home/u' })).toMatchObject({
      host: '::1',
      certPath: '/home/u/.docker',
    })
  })

  it('reads ssh://[user@]host[:port] (the engine is reached by docker system dial-stdio there)', () => {
    expect(parseDockerHost('ssh://deploy@10.0.0.5', {})).toEqual({
      kind: 'ssh',
      host: '10.0.0.5',
      port: 22,
      username: 'deploy',
    })
    expect(parseDockerHost('ssh://127.0.0.1:2222', { USER: 'me' })).toMatchObject({
      port: 2222,
      username: 'me',
    })
    expect(() => parseDockerHost('ssh://u:secret@h', {})).toThrow(/has a password/)
    expect(() => parseDockerHost('ssh://u:secret@h', {})).not.toThrow(/secret/)
    expect(() => createDockerEngine({ host: 'ssh://u@127.0.0.1:2222', env: {} })).toThrow(
      /no private key and no ssh-agent/,
    )
  })

  it('refuses what it cannot reach, naming the value', () => {
    expect(() => parseDockerHost('fd://3', {})).toThrow(
      /DOCKER_HOST "fd:\/\/3" uses the unsupported scheme "fd"/,
    )
    expect(() => parseDockerHost('tcp://', {})).toThrow(/DOCKER_HOST/)
  })
})

describe('createDockerEngine against the real engine', () => {
  it('negotiates the daemon API version over the unix socket (never a pinned old one)', async () => {
    const engine = createDockerEngine({ env: { DOCKER_HOST: bed.docker.host } })
    expect(await engine.apiVersion()).toBe(bed.docker.apiVersion)
    expect((await engine.version()).ApiVersion).toBe(bed.docker.apiVersion)
    expect(Array.isArray(await engine.listContainers({ all: true }))).toBe(true)
  })

  it('honours an explicit DOCKER_API_VERSION', async () => {
    const engine = createDockerEngine({ env: { DOCKER_HOST: bed.docker.host, DOCKER_API_VERSION: '1.40' } })
    expect(await engine.apiVersion()).toBe('1.40')
    expect((await engine.inspectImage(bed.images.v1)).Id).toMatch(/^sha256:/)
  })

  it('maps a 404 to WT_UPDATER_ENGINE_NOT_FOUND with the operation', async () => {
    const engine = createDockerEngine({ host: bed.docker.host, env: {} })
    const error = await engine.inspectContainer('wt-does-not-exist-xyz').catch((e: unknown) => e)
    expect(isUpdaterError(error) && error.code).toBe('WT_UPDATER_ENGINE_NOT_FOUND')
    expect(String((error as Error).message)).toMatch(
      /inspectContainer \(wt-does-not-exist-xyz\) failed with 404/,
    )
  })

  it('talks plain tcp:// (DOCKER_HOST)', async () => {
    const port = await engineProxy()
    const engine = createDockerEngine({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } })
    expect(await engine.apiVersion()).toBe(bed.docker.apiVersion)
  })

  it('talks tcp + TLS with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (client certificate required)', async () => {
    const read = (f: string) => readFile(f, 'utf8')
    const port = await engineProxy({
      cert: await read(bed.tls.serverCert),
      key: await read(bed.tls.serverKey),
      ca: await read(bed.tls.caCert),
    })
    const certs = await mkdtemp(join(tmpdir(), 'wt-updater-certs-'))
    onTestFinished(() => rm(certs, { recursive: true, force: true }))
    await writeFile(join(certs, 'ca.pem'), await read(bed.tls.caCert))
    await writeFile(join(certs, 'cert.pem'), await read(bed.tls.clientCert))
    await writeFile(join(certs, 'key.pem'), await read(bed.tls.clientKey))
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }
    const engine = createDockerEngine({ env })
    expect(await engine.apiVersion()).toBe(bed.docker.apiVersion)
    expect((await engine.inspectImage(bed.images.v2)).Id).toMatch(/^sha256:/)

    // Without the private CA the server is not trusted.
    const other = await mkdtemp(join(tmpdir(), 'wt-updater-certs-'))
    onTestFinished(() => rm(other, { recursive: true, force: true }))
    await writeFile(join(other, 'ca.pem'), await read(bed.tls.expiredCaCert))
    await writeFile(join(other, 'cert.pem'), await read(bed.tls.clientCert))
    await writeFile(join(other, 'key.pem'), await read(bed.tls.clientKey))
    const untrusted = createDockerEngine({ env: { ...env, DOCKER_CERT_PATH: other } })
    await expect(untrusted.apiVersion()).rejects.toMatchObject({ code: 'WT_UPDATER_ENGINE' })
  })

  it('names the missing TLS file', () => {
    expect(() =>
      createDockerEngine({
        env: {
          DOCKER_HOST: 'tcp://127.0.0.1:1',
          DOCKER_TLS_VERIFY: '1',
          DOCKER_CERT_PATH: '/nonexistent-wt',
        },
      }),
    ).toThrow(/cannot read \/nonexistent-wt\/ca.pem \(DOCKER_CERT_PATH/)
  })
})

describe('API version negotiation with daemons newer than the bed’s (a loopback stand-in answers /version)', () => {
  async function daemon(version: { ApiVersion: string; MinAPIVersion: string }) {
    const paths: string[] = []
    const server = createHttpServer((req, res) => {
      paths.push(req.url ?? '')
      res.setHeader('content-type', 'application/json')
      res.end(req.url === '/version' ? JSON.stringify({ Version: 'x', ...version }) : '[]')
    })
    servers.push(server as unknown as Server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as import('node:net').AddressInfo).port
    return { paths, engine: createDockerEngine({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } }) }
  }

  it('uses our highest version with a newer daemon (Docker 29: API 1.52, minimum 1.44)', async () => {
    const { paths, engine } = await daemon({ ApiVersion: '1.52', MinAPIVersion: '1.44' })
    await engine.listContainers({ all: true })
    expect(paths[0]).toBe('/version')
    expect(paths[1]).toMatch(new RegExp(`^/v${MAX_API_VERSION}/containers/json`))
  })

  it('uses the daemon’s minimum when it no longer accepts ours', async () => {
    const { paths, engine } = await daemon({ ApiVersion: '1.60', MinAPIVersion: '1.50' })
    expect(await engine.apiVersion()).toBe('1.50')
    await engine.listContainers()
    expect(paths[1]).toMatch(/^\/v1\.50\/containers\/json/)
  })
})
