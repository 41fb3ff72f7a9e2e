/**
 * Registry and token requests through the bed's REAL forward proxy (tinyproxy, BasicAuth), proved
 * by tinyproxy's own log; the registry is reached by a host name (registry.wt-proxy.test) because
 * Go's rules, which we follow, never proxy a loopback IP literal. The registry's TLS (private CA)
 * runs end to end inside the CONNECT tunnel.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { createCredentialResolver } from '@watchtower-ts/credentials'
import { proxyRequests, pushImage, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { type BedClient, bedClient } from '../test/bed.ts'
import type { CredentialResolverLike } from './_deps.ts'

const bed = inject('testbed')
const open: BedClient[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

const port = (hostPort: string) => hostPort.slice(hostPort.lastIndexOf(':') + 1)
const NAME = bed.proxy.registry.host.slice(0, bed.proxy.registry.host.lastIndexOf(':'))
const tokenHost = new URL(bed.proxy.tokenRealm).host

/** alice in a config.json keyed by the names the registries are reached under. */
async function aliceFor(...hosts: string[]): Promise<CredentialResolverLike> {
  const dir = await mkdtemp(join(tmpdir(), 'wt-rc-proxy-'))
  dirs.push(dir)
  const auth = Buffer.from(`${bed.users.alice.username}:${bed.users.alice.password}`).toString('base64')
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ auths: Object.fromEntries(hosts.map((h) => [h, { auth }])) }),
  )
  return createCredentialResolver({ env: {}, configFile: join(dir, 'config.json') })
}

async function make(...args: Parameters<typeof bedClient>): Promise<BedClient> {
  const c = await bedClient(...args)
  open.push(c)
  return c
}

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  )
}

function expectNoProxySecret(...values: unknown[]): void {
  const { password, urlWithCredentials } = bed.proxy
  const b64 = Buffer.from(`${bed.proxy.username}:${password}`).toString('base64')
  for (const v of values) {
    const text = `${typeof v === 'string' ? v : JSON.stringify(v)}\n${inspect(v, { depth: 30, showHidden: true })}`
    for (const secret of [password, urlWithCredentials, b64]) expect(text).not.toContain(secret)
  }
}

describe('HTTPS_PROXY: registry and token requests through the real proxy', () => {
  it('with the private CA: CONNECT to the registry and to the token realm, digest as pushed, tunnel keeps our TLS', async () => {
    const repository = uniqueName('rc/proxy')
    const v1 = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x', user: 'alice' })
    const before = {
      registry: (await proxyRequests(bed, bed.proxy.registry.host)).length,
      token: (await proxyRequests(bed, tokenHost)).length,
    }
    const { client, events, trust } = await make(bed, await aliceFor(bed.proxy.registry.host), {
      trustOptions: { proxy: { httpsProxy: bed.proxy.urlWithCredentials } },
    })
    const ref = `${bed.proxy.registry.host}/${repository}:x`
    await expect(client.getDigest(ref)).resolves.toMatchObject({ digest: v1.digest })

    const viaRegistry = await proxyRequests(bed, bed.proxy.registry.host)
    const viaToken = await proxyRequests(bed, tokenHost)
    expect(viaRegistry.length).toBeGreaterThan(before.registry)
    expect(viaRegistry.at(-1)).toMatchObject({ method: 'CONNECT', target: bed.proxy.registry.host })
    expect(viaToken.length).toBeGreaterThan(before.token)
    expect(viaToken.at(-1)).toMatchObject({ method: 'CONNECT', target: tokenHost })
    // the token server saw alice ask for this repository (through the tunnel)
    const tokens = (await tokenLog(bed)).filter((r) => r.scopes.some((s) => s.includes(repository)))
    expect(tokens.at(-1)).toMatchObject({ account: 'alice', status: 200 })

    const transport = await trust.transportFor(bed.proxy.registry.host)
    expect(transport.proxy.https).toBe(`via HTTPS_PROXY http://***@${new URL(bed.proxy.url).host}`)
    const described = await trust.describe(bed.proxy.registry.host)
    expect(described.sources.find((s) => s.kind === 'proxy')?.description).toContain(
      'via HTTPS_PROXY http://***@',
    )
    expectNoProxySecret(events, transport, described, transport.dispatcher)
  })

  it('without the private CA: the tunnel is made, and our verification inside it refuses the certificate', async () => {
    const repository = uniqueName('rc/proxy-noca')
    await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x', user: 'alice' })
    const before = (await proxyRequests(bed, bed.proxy.registry.host)).length
    const emptyCertsD = await mkdtemp(join(tmpdir(), 'wt-rc-proxy-certsd-'))
    dirs.push(emptyCertsD)
    const { client, events } = await make(bed, await aliceFor(bed.proxy.registry.host), {
      trustOptions: {
        caFile: undefined,
        certsDirs: [emptyCertsD],
        proxy: { httpsProxy: bed.proxy.urlWithCredentials },
      },
    })
    const err = await rejection(client.getDigest(`${bed.proxy.registry.host}/${repository}:x`))
    expect(err).toMatchObject({ code: 'WT_REGISTRY_TLS' })
    expect((await proxyRequests(bed, bed.proxy.registry.host)).length).toBeGreaterThan(before)
    expectNoProxySecret(err, events)
  })

  it('certs.d of the registry applies inside the tunnel: CA and client certificate (the mtls registry by name)', async () => {
    const mtlsByName = `${NAME}:${port(bed.registries.mtls.host)}`
    const repository = uniqueName('rc/proxy-mtls')
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'x' })
    const certsD = await mkdtemp(join(tmpdir(), 'wt-rc-proxy-certsd-'))
    dirs.push(certsD)
    await mkdir(join(certsD, mtlsByName))
    await copyFile(bed.tls.caCert, join(certsD, mtlsByName, 'ca.crt'))
    await copyFile(bed.tls.clientCert, join(certsD, mtlsByName, 'client.cert'))
    await copyFile(bed.tls.clientKey, join(certsD, mtlsByName, 'client.key'))
    const before = (await proxyRequests(bed, mtlsByName)).length
    const { client } = await make(bed, await aliceFor(), {
      trustOptions: {
        caFile: undefined,
        certsDirs: [certsD],
        proxy: { httpsProxy: bed.proxy.urlWithCredentials },
      },
    })
    await expect(client.getDigest(`${mtlsByName}/${repository}:x`)).resolves.toMatchObject({
      digest: v1.digest,
    })
    expect((await proxyRequests(bed, mtlsByName)).length).toBeGreaterThan(before)
    // the same without the client certificate: the registry refuses the handshake inside the tunnel
    await rm(join(certsD, mtlsByName, 'client.cert'))
    await rm(join(certsD, mtlsByName, 'client.key'))
    const bare = await make(bed, await aliceFor(), {
      trustOptions: {
        caFile: undefined,
        certsDirs: [certsD],
        proxy: { httpsProxy: bed.proxy.urlWithCredentials },
      },
    })
    expect(await rejection(bare.client.getDigest(`${mtlsByName}/${repository}:x`))).toBeInstanceOf(Error)
  })

  it('NO_PROXY: a matching name goes direct (no CONNECT in the proxy log), the same request without it goes through', async () => {
    // the basic registry under the proxy test name: a host:port no other test sends through the proxy
    const basicByName = `${NAME}:${port(bed.registries.basic.host)}`
    const repository = uniqueName('rc/proxy-bypass')
    const v1 = await pushImage(bed, { registry: 'basic', variant: 'v1', repository, tag: 'x', user: 'alice' })
    const ref = `${basicByName}/${repository}:x`
    const count = async () => (await proxyRequests(bed, basicByName)).length

    for (const noProxy of [`.${bed.proxy.domain}`, NAME, `${NAME}:${port(basicByName)}`, '*']) {
      const before = await count()
      const { client, trust } = await make(bed, await aliceFor(basicByName), {
        trustOptions: { proxy: { httpsProxy: bed.proxy.urlWithCredentials, noProxy } },
      })
      await expect(client.getDigest(ref)).resolves.toMatchObject({ digest: v1.digest })
      expect((await trust.transportFor(basicByName)).proxy.https).toMatch(/^direct: NO_PROXY/)
      expect(await count(), `NO_PROXY=${noProxy}`).toBe(before)
    }
    // a NO_PROXY entry for another port or another domain does not match
    for (const noProxy of [`${NAME}:1`, 'wt-proxy.example', `other.${bed.proxy.domain}`]) {
      const before = await count()
      const { client } = await make(bed, await aliceFor(basicByName), {
        trustOptions: { proxy: { httpsProxy: bed.proxy.urlWithCredentials, noProxy } },
      })
      await expect(client.getDigest(ref)).resolves.toMatchObject({ digest: v1.digest })
      expect(await count(), `NO_PROXY=${noProxy}`).toBeGreaterThan(before)
    }
  })

  it('a loopback IP literal is never proxied, whatever NO_PROXY says (Go rule)', async () => {
    const repository = uniqueName('rc/proxy-loopback')
    const v1 = await pushImage(bed, { registry: 'basic', variant: 'v1', repository, tag: 'x', user: 'alice' })
    const before = (await proxyRequests(bed, bed.registries.basic.host)).length
    const { client, trust } = await make(bed, await aliceFor(bed.registries.basic.host), {
      trustOptions: { proxy: { httpsProxy: bed.proxy.urlWithCredentials } },
    })
    await expect(client.getDigest(`${bed.registries.basic.host}/${repository}:x`)).resolves.toMatchObject({
      digest: v1.digest,
    })
    expect((await trust.transportFor(bed.registries.basic.host)).proxy.https).toContain('loopback')
    expect((await proxyRequests(bed, bed.registries.basic.host)).length).toBe(before)
  })
})

describe('HTTP_PROXY: plain-HTTP registries through the proxy (absolute-form requests, as Go)', () => {
  it('the open registry by name, listed insecure: GET http://… in the proxy log with our path', async () => {
    const openByName = `${NAME}:${port(bed.registries.open.host)}`
    const repository = uniqueName('rc/proxy-http')
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await aliceFor(), {
      trustOptions: {
        insecureRegistries: [openByName],
        proxy: { httpsProxy: bed.proxy.urlWithCredentials, httpProxy: bed.proxy.urlWithCredentials },
      },
    })
    await expect(client.getDigest(`${openByName}/${repository}:x`)).resolves.toMatchObject({
      digest: v1.digest,
    })
    const seen = await proxyRequests(bed, repository)
    expect(seen.map((r) => r.method)).toContain('HEAD')
    expect(seen[0]!.target).toMatch(
      new RegExp(`^http://${openByName.replace(/\./g, '\\.')}/v2/${repository}/manifests/x$`),
    )
  })
})

describe('proxy credentials', () => {
  it('a wrong proxy password fails with a clear error that shows neither the password nor the URL with it', async () => {
    const wrong = new URL(bed.proxy.urlWithCredentials)
    wrong.password = 'not-the-Pr0xy-password'
    const { client, events } = await make(bed, await aliceFor(bed.proxy.registry.host), {
      trustOptions: { proxy: { httpsProxy: wrong.href } },
    })
    const err = await rejection(
      client.getDigest(`${bed.proxy.registry.host}/${uniqueName('rc/proxy-407')}:x`),
    )
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toContain(
      'the HTTP proxy refused the tunnel (401): wrong or missing proxy credentials (user:password in HTTPS_PROXY / HTTP_PROXY)',
    ) // tinyproxy answers a wrong BasicAuth with 401 (407 elsewhere)
    const text = `${inspect(err, { depth: 30, showHidden: true })}${JSON.stringify(events)}`
    expect(text).not.toContain('not-the-Pr0xy-password')
    expect(text).not.toContain(Buffer.from(`${bed.proxy.username}:not-the-Pr0xy-password`).toString('base64'))
  })
})
