/**
 * Multi-platform checks against a REAL distribution registry serving a real manifest list and OCI
 * index (built from two images the bed pushed, plus an attestation-style `unknown/unknown` entry),
 * and token lifetimes / 401 eviction against the REAL token server.
 */

import { pushImage, setTokenPolicy, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { request } from 'undici'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { aliceResolver, type BedClient, bedClient } from '../test/bed.ts'
import { MEDIA_TYPE_DOCKER_LIST, MEDIA_TYPE_OCI_INDEX } from './media-types.ts'

const bed = inject('testbed')
const open: BedClient[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

async function describeManifest(url: string): Promise<{ digest: string; mediaType: string; size: number }> {
  const res = await request(url, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  })
  await res.body.dump()
  return {
    digest: String(res.headers['docker-content-digest']),
    mediaType: String(res.headers['content-type']),
    size: Number(res.headers['content-length']),
  }
}

describe.each([MEDIA_TYPE_DOCKER_LIST, MEDIA_TYPE_OCI_INDEX])('a real %s', (listType) => {
  it('fresh by index digest (1 HEAD), by platform digest (HEAD + GET of the index), stale otherwise', async () => {
    const reg = bed.registries.open
    const repository = uniqueName('rc/index')
    await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'amd' })
    await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: 'arm' })
    const amd = await describeManifest(`${reg.url}/v2/${repository}/manifests/amd`)
    const arm = await describeManifest(`${reg.url}/v2/${repository}/manifests/arm`)
    const entry = (m: typeof amd) => ({ mediaType: m.mediaType, size: m.size, digest: m.digest })
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: listType,
      manifests: [
        { ...entry(arm), platform: { architecture: 'unknown', os: 'unknown' } },
        { ...entry(amd), platform: { architecture: 'amd64', os: 'linux' } },
        { ...entry(arm), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    })
    const put = await request(`${reg.url}/v2/${repository}/manifests/multi`, {
      method: 'PUT',
      headers: { 'content-type': listType },
      body: list,
    })
    const putBody = await put.body.text()
    expect(put.statusCode, putBody).toBe(201)
    const listDigest = String(put.headers['docker-content-digest'])

    const c = await bedClient(bed, aliceResolver(bed))
    open.push(c)
    const { client } = c
    const ref = `${reg.host}/${repository}:multi`
    const name = `${reg.host}/${repository}`

    const byIndex = await client.check(ref, [`${name}@${listDigest}`])
    expect(byIndex).toMatchObject({
      status: 'fresh',
      matched: listDigest,
      remote: { digest: listDigest, mediaType: listType },
    })
    expect(client.stats().requests.manifestGet).toBe(0)

    const amd64 = await client.check(ref, [`${name}@${amd.digest}`], { os: 'linux', architecture: 'amd64' })
    expect(amd64).toMatchObject({
      status: 'fresh',
      matched: amd.digest,
      remote: { platformDigest: amd.digest },
    })
    expect(amd64.remote.platforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ])
    expect(client.stats().requests.manifestGet).toBe(1)

    const arm64 = await client.check(ref, [`${name}@${amd.digest}`], { os: 'linux', architecture: 'arm64' })
    expect(arm64).toMatchObject({ status: 'stale', remote: { platformDigest: arm.digest } })

    // The attestation-style entry points at the arm manifest: it never makes amd64 look fresh.
    const attest = await client.check(ref, [`${name}@${arm.digest}`], { os: 'linux', architecture: 'amd64' })
    expect(attest.status).toBe('stale')
  })
})

describe('tokens through the cache (real token server)', () => {
  const reg = bed.registries.token

  it('a cached token the registry refuses is evicted and asked again once', async () => {
    const repository = uniqueName('rc/evict')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    const resolver = aliceResolver(bed)
    const creds = await resolver.resolve(reg.host)
    const tokenCache = createTokenCache()
    const key = {
      registry: bed.registries.token.host,
      realm: bed.tokenServer.realm,
      service: bed.tokenServer.service,
      scopes: [`repository:${repository}:pull`],
      identity: creds.fingerprint,
    }
    await tokenCache.get(key, async () => ({ token: 'not-a-valid-jwt', expiresIn: 300 }))
    const before = (await tokenLog(bed)).length
    const c = await bedClient(bed, resolver, { tokenCache })
    open.push(c)
    await expect(c.client.getDigest(pushed.ref)).resolves.toMatchObject({ digest: pushed.digest })
    expect(c.events.filter((e) => e.type === 'auth-retry')).toEqual([
      expect.objectContaining({ reason: 'token-refused', status: 401 }),
    ])
    const asked = (await tokenLog(bed)).slice(before).filter((r) => r.scopes.includes(key.scopes[0]!))
    expect(asked).toHaveLength(1)
    expect(tokenCache.stats()).toMatchObject({ evictions: 1, fetches: 2 })
  })

  it('expires_in from the token server is honoured (clock injected into token-cache)', async () => {
    const prefix = uniqueName('rc/ttl')
    await setTokenPolicy(bed, { repositoryPrefix: prefix, expiresIn: 120 })
    const repository = `${prefix}/app`
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x' })
    let now = Date.now()
    const c = await bedClient(bed, aliceResolver(bed), { tokenCache: createTokenCache({ now: () => now }) })
    open.push(c)
    await c.client.getDigest(pushed.ref)
    now += 60_000
    c.client.startCycle()
    await c.client.getDigest(pushed.ref)
    expect(c.client.stats().requests.token).toBe(1)
    now += 61_000 // past 120 s
    c.client.startCycle()
    await c.client.getDigest(pushed.ref)
    expect(c.client.stats().requests.token).toBe(2)
    expect(
      c.events
        .filter((e) => e.type === 'token-request')
        .map((e) => e.type === 'token-request' && e.expiresIn),
    ).toEqual([120, 120])
  })
})
