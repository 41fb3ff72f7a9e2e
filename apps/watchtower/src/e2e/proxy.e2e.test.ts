// `watchtower --run-once` as a real process with HTTPS_PROXY in its environment: the registry and
// token requests go through the bed's real forward proxy (tinyproxy with BasicAuth, whose own log
// proves it), the stale container is updated, and the proxy's credentials appear in no output at
// any log level.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dockerCli, proxyRequests, pushImage } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, watchtowerProcess } from '../../test/cli-process.ts'
import { bed, cleanupPrefix, docker, imageOf, uniqueName } from '../../test/e2e-bed.ts'

const prefix = uniqueName('wt-proxy')
let cli: CliProcess
let configDir: string

beforeAll(async () => {
  cli = await watchtowerProcess()
  configDir = await mkdtemp(join(tmpdir(), 'wt-proxy-config-'))
  const auth = Buffer.from(`${bed.users.alice.username}:${bed.users.alice.password}`).toString('base64')
  await writeFile(
    join(configDir, 'config.json'),
    JSON.stringify({ auths: { [bed.proxy.registry.host]: { auth } } }),
  )
})
afterAll(async () => {
  await cleanupPrefix(prefix)
  await cli?.close()
  if (configDir) await rm(configDir, { recursive: true, force: true })
})

describe('watchtower --run-once through an HTTP proxy (real process, real tinyproxy)', () => {
  it('HTTPS_PROXY=http://user:pass@…: CONNECT to the registry and the token realm, the container is updated, no proxy secret at trace level', async () => {
    const repository = `${prefix}/app`
    await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'latest', user: 'alice' })
    const image = `${bed.proxy.registry.host}/${repository}:latest`
    // the engine pulls by the name (/etc/hosts), directly: the engine has no proxy of its own
    const pulled = await dockerCli(bed, ['pull', image], { dockerConfig: configDir })
    expect(pulled.code, pulled.stderr).toBe(0)
    const name = `${prefix}-c`
    await docker(['run', '-d', '--network', 'none', '--name', name, image])
    const oldId = await imageOf(name)
    const v2 = await pushImage(bed, {
      registry: 'token',
      variant: 'v2',
      repository,
      tag: 'latest',
      user: 'alice',
    })

    const tokenHost = new URL(bed.proxy.tokenRealm).host
    const before = {
      registry: (await proxyRequests(bed, bed.proxy.registry.host)).length,
      token: (await proxyRequests(bed, tokenHost)).length,
    }
    const env = {
      PATH: process.env.PATH,
      HOME: configDir,
      DOCKER_HOST: bed.docker.host,
      DOCKER_CONFIG: configDir,
      HTTPS_PROXY: bed.proxy.urlWithCredentials,
      NO_PROXY: 'localhost,127.0.0.1',
    }
    const r = await cli.run(
      ['--run-once', '--registry-ca', bed.tls.caCert, '--log-level', 'trace', '--log-format', 'logfmt', name],
      env,
    )
    const out = `${r.stdout}\n${r.stderr}`
    expect(r.code, out).toBe(0)
    expect(out).toContain(`HTTPS_PROXY=http://***@${new URL(bed.proxy.url).host}`)
    expect(await imageOf(name)).not.toBe(oldId)
    const repoDigests = await docker([
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      await imageOf(name),
    ])
    expect(repoDigests).toContain(v2.digest)

    expect((await proxyRequests(bed, bed.proxy.registry.host)).length).toBeGreaterThan(before.registry)
    expect((await proxyRequests(bed, tokenHost)).length).toBeGreaterThan(before.token)

    const b64 = Buffer.from(`${bed.proxy.username}:${bed.proxy.password}`).toString('base64')
    for (const secret of [bed.proxy.password, bed.proxy.urlWithCredentials, b64, bed.users.alice.password]) {
      expect(out).not.toContain(secret)
    }
  })

  it('notifications follow HTTP_PROXY too: the webhook POST reaches its server through the proxy', async () => {
    const received: { method?: string; url?: string; body: string }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => {
        body += d
      })
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body })
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const name = bed.proxy.registry.host.slice(0, bed.proxy.registry.host.lastIndexOf(':'))
      const hook = `/${uniqueName('hook')}`
      const r = await cli.run(
        [
          '--run-once',
          '--notification-url',
          `generic+http://${name}:${port}${hook}`,
          '--registry-ca',
          bed.tls.caCert,
          `${prefix}-none`,
        ],
        {
          PATH: process.env.PATH,
          HOME: configDir,
          DOCKER_HOST: bed.docker.host,
          DOCKER_CONFIG: configDir,
          HTTP_PROXY: bed.proxy.urlWithCredentials,
        },
      )
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
      expect(received.length, `${r.stdout}\n${r.stderr}`).toBeGreaterThan(0)
      expect(received[0]).toMatchObject({ method: 'POST', url: hook })
      const seen = await proxyRequests(bed, hook)
      expect(seen[0]).toMatchObject({ method: 'POST', target: `http://${name}:${port}${hook}` })
      expect(`${r.stdout}${r.stderr}`).not.toContain(bed.proxy.password)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
