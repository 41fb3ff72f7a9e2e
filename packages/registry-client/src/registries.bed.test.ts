/**
 * Every path against the bed's REAL registries (distribution 2.8: open over http, basic over TLS with
 * htpasswd, token over TLS with the bed's token server), real TLS failures and real credentials.
 */
import { join } from 'node:path'
import { pushImage, setTokenPolicy, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { request } from 'undici'
import { describe, expect, inject, it } from 'vitest'
import {
  aliceResolver,
  anonymousResolver,
  bedTrust,
  identityTokenResolver,
  resolverFor,
  tempDir,
  trackBedClients,
} from '../test/bed.ts'
import { isRegistryError } from './errors.ts'

const bed = inject('testbed')
const make = trackBedClients()
function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  )
}

describe('open registry (http on loopback)', () => {
  it('https first, then http like dockerd; digest equals what docker push stored; fresh then stale', async () => {
    const repository = uniqueName('rc/open')
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'x' })
    const { client, events } = await make(bed, await anonymousResolver())
    await expect(client.getDigest(v1.ref)).resolves.toMatchObject({ digest: v1.digest })
    expect(events.find((e) => e.type === 'scheme-fallback')).toMatchObject({ from: 'https', to: 'http' })
    expect(events.find((e) => e.type === 'ping')).toMatchObject({ status: 200, challenges: [] })
    const local = [`${v1.ref.replace(/:x$/, '')}@${v1.digest}`]
    await expect(client.check(v1.ref, local)).resolves.toMatchObject({ status: 'fresh', matched: v1.digest })
    const v2 = await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: 'x' })
    await expect(client.check(v1.ref, local)).resolves.toMatchObject({
      status: 'stale',
      remote: { digest: v2.digest },
    })
  })

  it('unknown tag and unknown repository are WT_REGISTRY_NOT_FOUND', async () => {
    const repository = uniqueName('rc/open-nf')
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await anonymousResolver())
    const tag = await rejection(client.getDigest(`${bed.registries.open.host}/${repository}:nope`))
    expect(tag).toMatchObject({ code: 'WT_REGISTRY_NOT_FOUND', status: 404 })
    expect((tag as Error).message).toContain(`${repository}:nope not found on ${bed.registries.open.host}`)
    const repo = await rejection(client.getDigest(`${bed.registries.open.host}/${repository}-missing:x`))
    expect(repo).toMatchObject({ code: 'WT_REGISTRY_NOT_FOUND' })
    expect(v1.digest).toMatch(/^sha256:/)
  })
})

describe('basic registry (TLS + htpasswd)', () => {
  it('alice from the real config.json: Basic on every request, no token step', async () => {
    const repository = uniqueName('rc/basic')
    const pushed = await pushImage(bed, { registry: 'basic', variant: 'v1', repository, tag: 'x' })
    const { client, events } = await make(bed, aliceResolver(bed))
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
    const ping = events.find((e) => e.type === 'ping')
    expect(ping).toMatchObject({ status: 401, challenges: [{ scheme: 'basic' }] })
    expect(events.find((e) => e.type === 'credentials')).toMatchObject({ kind: 'basic', username: 'alice' })
    expect(client.stats().requests).toEqual({
      ping: 1,
      token: 0,
      manifestHead: 1,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })

  it('a wrong password is WT_REGISTRY_UNAUTHORIZED naming the user and source, never the password', async () => {
    const repository = uniqueName('rc/basic-bad')
    const pushed = await pushImage(bed, { registry: 'basic', variant: 'v1', repository, tag: 'x' })
    const { client, events } = await make(bed, await resolverFor(bed, 'alice', 'not-the-password'))
    const err = await rejection(client.getDigest(pushed.ref))
    expect(isRegistryError(err, 'WT_REGISTRY_UNAUTHORIZED')).toBe(true)
    expect((err as Error).message).toMatch(/registry refused the credentials of alice \(config.json .*auths/)
    expect(JSON.stringify([events, String(err)])).not.toContain('not-the-password')
  })

  it('no credentials: WT_REGISTRY_UNAUTHORIZED saying none are configured', async () => {
    // The registry asks for credentials before it looks the repository up: nothing to push.
    const { client } = await make(bed, await anonymousResolver())
    const err = await rejection(
      client.getDigest(`${bed.registries.basic.host}/${uniqueName('rc/basic-anon')}:x`),
    )
    expect((err as Error).message).toMatch(/anonymous access \(no credentials configured/)
  })
})

describe('token registry (TLS + bearer tokens)', () => {
  const reg = bed.registries.token
  /**
   * Token requests made after `mark()` whose every scope is a pull of one of `repos`. Other tests'
   * `docker push` ask tokens naming our repositories too (`pull` on a cross-repository mount source,
   * alongside `pull,push` on theirs): those are left out.
   */
  async function mark(...repos: string[]): Promise<() => Promise<Awaited<ReturnType<typeof tokenLog>>>> {
    const before = (await tokenLog(bed)).length
    const ours = new Set(repos.map((r) => `repository:${r}:pull`))
    return async () =>
      (await tokenLog(bed))
        .slice(before)
        .filter((r) => r.scopes.length > 0 && r.scopes.every((s) => ours.has(s)))
  }

  it('alice: Basic to the token server (service + scope + account), Bearer on the HEAD', async () => {
    const repository = uniqueName('rc/tok')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const mine = await mark(repository)
    const { client, events } = await make(bed, aliceResolver(bed))
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
    const log = await mine()
    expect(log, JSON.stringify(log)).toHaveLength(1)
    expect(log[0]).toMatchObject({
      method: 'GET',
      account: 'alice',
      service: bed.tokenServer.service,
      scopes: [`repository:${repository}:pull`],
      status: 200,
      granted: [{ type: 'repository', name: repository, actions: ['pull'] }],
    })
    expect(events.find((e) => e.type === 'token-request')).toMatchObject({
      status: 200,
      grant: 'basic',
      method: 'GET',
    })
  })

  it('a wrong password: the token server refuses → WT_REGISTRY_TOKEN_DENIED', async () => {
    const repository = uniqueName('rc/tok-bad')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await resolverFor(bed, 'alice', 'wrong'))
    const err = await rejection(client.getDigest(pushed.ref))
    expect(err).toMatchObject({ code: 'WT_REGISTRY_TOKEN_DENIED', status: 401 })
    expect((err as Error).message).toMatch(/token server refused the credentials of alice/)
  })

  it('bob outside bob/*: token granted nothing → the registry refuses → WT_REGISTRY_UNAUTHORIZED (no loop)', async () => {
    const repository = uniqueName('rc/tok-bob')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await resolverFor(bed, bed.users.bob.username, bed.users.bob.password))
    const err = await rejection(client.getDigest(pushed.ref))
    expect(err).toMatchObject({ code: 'WT_REGISTRY_UNAUTHORIZED', status: 401 })
    expect((err as Error).message).toMatch(/registry refused the credentials of bob .* with a token for/)
    expect(client.stats().requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: 1,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })

  it('anonymous token for public/*, and refusal elsewhere', async () => {
    const repository = `public/${uniqueName('rc')}`
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const mine = await mark(repository)
    const { client, events } = await make(bed, await anonymousResolver())
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
    expect(events.find((e) => e.type === 'token-request')).toMatchObject({ grant: 'anonymous', status: 200 })
    const log = await mine()
    expect(log).toHaveLength(1)
    expect(log[0]?.account).toBeUndefined()
    const priv = uniqueName('rc/tok-priv')
    const p2 = await pushImage(bed, { registry: 'token', variant: 'v1', repository: priv, tag: 'x' })
    const err = await rejection(client.getDigest(p2.ref))
    expect((err as Error).message).toMatch(/anonymous access/)
  })

  it('access_token only and no expires_in are accepted', async () => {
    const prefix = uniqueName('rc/tok-pol')
    await setTokenPolicy(bed, { repositoryPrefix: prefix, accessTokenOnly: true, omitExpiresIn: true })
    const repository = `${prefix}/app`
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, aliceResolver(bed))
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
  })

  it('identity token: OAuth2 POST refresh_token grant against the real token server', async () => {
    const repository = uniqueName('rc/tok-id')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const trust = await bedTrust(bed)
    const form = new URLSearchParams({
      grant_type: 'password',
      username: bed.users.alice.username,
      password: bed.users.alice.password,
      service: bed.tokenServer.service,
      client_id: 'test',
      access_type: 'offline',
    })
    const res = await request(bed.tokenServer.realm, {
      method: 'POST',
      dispatcher: (await trust.transportFor(bed.tokenServer.realm)).dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })
    const refresh = ((await res.body.json()) as { refresh_token: string }).refresh_token
    await trust.close()
    expect(refresh).toBeTruthy()
    const mine = await mark(repository)
    const { client, events } = await make(bed, identityTokenResolver(reg.host, refresh))
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
    const log = await mine()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ method: 'POST', grantType: 'refresh_token', status: 200 })
    expect(events.find((e) => e.type === 'token-request')).toMatchObject({
      method: 'POST',
      grant: 'refresh_token',
    })
    expect(JSON.stringify(events)).not.toContain(refresh)
  })

  it('a shared token that lacks one repository falls back to one token per repository (real grants)', async () => {
    const own = `bob/${uniqueName('rc')}`
    const other = uniqueName('rc/tok-mix')
    const a = await pushImage(bed, {
      registry: 'token',
      variant: 'v1',
      repository: own,
      tag: 'x',
      user: 'bob',
    })
    const b = await pushImage(bed, { registry: 'token', variant: 'v1', repository: other, tag: 'x' })
    const mine = await mark(own, other)
    const { client } = await make(bed, await resolverFor(bed, bed.users.bob.username, bed.users.bob.password))
    client.startCycle([a.ref, b.ref])
    await expect(client.getDigest(a.ref)).resolves.toMatchObject({ digest: a.digest })
    const err = await rejection(client.getDigest(b.ref))
    expect(err).toMatchObject({ code: 'WT_REGISTRY_UNAUTHORIZED' })
    const log = await mine()
    expect(log.map((r) => r.scopes.length)).toEqual([2, 1])
    expect(log[0]!.granted).toEqual([{ type: 'repository', name: own, actions: ['pull'] }])
    expect(client.stats().authFallbacks).toBe(1)
  })
})

describe('TLS failures are WT_REGISTRY_TLS (no http fallback hides them)', () => {
  it.each([
    ['expired', /expired|CERT_HAS_EXPIRED/i],
    ['wronghost', /ERR_TLS_CERT_ALTNAME_INVALID|host/i],
    ['mtls', /client certificate|certificate/i],
  ] as const)('%s', async (name, why) => {
    const repository = uniqueName(`rc/${name}`)
    await pushImage(bed, { registry: name, variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await anonymousResolver())
    const err = await rejection(client.getDigest(`${bed.registries[name].host}/${repository}:x`))
    expect(err).toMatchObject({ code: 'WT_REGISTRY_TLS' })
    expect((err as Error).message).toMatch(why)
  })

  it('mtls with the client certificate from certs.d works', async () => {
    const { mkdir, copyFile } = await import('node:fs/promises')
    const dir = await tempDir('mtls')
    const host = bed.registries.mtls.host
    await mkdir(join(dir, host))
    await copyFile(bed.tls.clientCert, join(dir, host, 'client.cert'))
    await copyFile(bed.tls.clientKey, join(dir, host, 'client.key'))
    const repository = uniqueName('rc/mtls-ok')
    const pushed = await pushImage(bed, { registry: 'mtls', variant: 'v1', repository, tag: 'x' })
    const { client } = await make(bed, await anonymousResolver(), { trustOptions: { certsDirs: [dir] } })
    await expect(client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
  })
})
