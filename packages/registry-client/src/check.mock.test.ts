/** MockAgent tier: multi-platform indexes with attestations and variants (the bed pushes single images). */
import { describe, expect, it } from 'vitest'
import { anonymous, type MockSetup, mockClient, trackMockSetups } from '../test/mock.ts'
import { sha256Digest } from './manifest.ts'
import { MEDIA_TYPE_OCI_INDEX } from './media-types.ts'

const use = trackMockSetups()

const R = 'https://reg.example'
const d = (c: string) => `sha256:${c.repeat(64)}`
const AMD64 = d('1')
const ARM64 = d('2')
const ARMV7 = d('3')
const ARMV6 = d('4')
const ATTEST = d('5')
const INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE_OCI_INDEX,
  manifests: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: ATTEST,
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': AMD64,
      },
    },
    { digest: AMD64, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { digest: ARM64, size: 1, platform: { os: 'linux', architecture: 'arm64' } },
    { digest: ARMV6, size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { digest: ARMV7, size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ],
})
const INDEX_DIGEST = sha256Digest(Buffer.from(INDEX))

function serveIndex(s: MockSetup, withGet: boolean) {
  s.agent.get(R).intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}')
  s.agent
    .get(R)
    .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
    .reply(200, '', {
      headers: { 'docker-content-digest': INDEX_DIGEST, 'content-type': MEDIA_TYPE_OCI_INDEX },
    })
  if (withGet) {
    s.agent
      .get(R)
      .intercept({ path: `/v2/app/manifests/${INDEX_DIGEST}`, method: 'GET' })
      .reply(200, INDEX, {
        headers: { 'docker-content-digest': INDEX_DIGEST, 'content-type': MEDIA_TYPE_OCI_INDEX },
      })
  }
}

describe('check with an index', () => {
  it('index digest in RepoDigests: fresh after one HEAD (index not fetched)', async () => {
    const s = use(mockClient(anonymous))
    serveIndex(s, false)
    const r = await s.client.check('reg.example/app', [`reg.example/app@${INDEX_DIGEST}`])
    expect(r).toMatchObject({ status: 'fresh', matched: INDEX_DIGEST })
    expect(s.client.stats().requests.manifestGet).toBe(0)
  })

  it.each([
    [{ os: 'linux', architecture: 'amd64' }, AMD64],
    [{ os: 'linux', architecture: 'arm64' }, ARM64],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, ARM64],
    [{ os: 'linux', architecture: 'arm' }, ARMV7],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, ARMV6],
  ])('local platform digest for %o: fresh via the index, attestations skipped', async (platform, digest) => {
    const s = use(mockClient(anonymous))
    serveIndex(s, true)
    const r = await s.client.check('reg.example/app', [`reg.example/app@${digest}`], platform)
    expect(r).toMatchObject({
      status: 'fresh',
      matched: digest,
      remote: { digest: INDEX_DIGEST, platformDigest: digest },
    })
    expect(r.remote.platforms).toHaveLength(4)
  })

  it('an index is fetched once (content-addressed), whatever the platforms and cycles', async () => {
    const s = use(mockClient(anonymous))
    serveIndex(s, true)
    s.agent.get(R).intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}')
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(200, '', {
        headers: { 'docker-content-digest': INDEX_DIGEST, 'content-type': MEDIA_TYPE_OCI_INDEX },
      })
    s.client.startCycle()
    await s.client.check('reg.example/app', [`reg.example/app@${AMD64}`], {
      os: 'linux',
      architecture: 'amd64',
    })
    await s.client.check('reg.example/app', [`reg.example/app@${AMD64}`], {
      os: 'linux',
      architecture: 'arm64',
    })
    s.client.startCycle()
    await s.client.check('reg.example/app', [`reg.example/app@${ARM64}`], {
      os: 'linux',
      architecture: 'arm64',
    })
    expect(s.client.stats().requests).toEqual({
      ping: 2,
      token: 0,
      manifestHead: 2,
      manifestGet: 1,
      tagsList: 0,
      blob: 0,
    })
  })

  it('both differ: stale; an attestation digest never counts as a match', async () => {
    const s = use(mockClient(anonymous))
    serveIndex(s, true)
    const r = await s.client.check('reg.example/app', [`reg.example/app@${ATTEST}`], {
      os: 'linux',
      architecture: 'amd64',
    })
    expect(r).toMatchObject({ status: 'stale', remote: { platformDigest: AMD64 } })
  })

  it('RepoDigests of another repository are ignored; the user spelling of the same repository is not', async () => {
    const s = use(mockClient(anonymous))
    serveIndex(s, false)
    const r = await s.client.check('reg.example/app:latest', [`reg.example/other@${INDEX_DIGEST}`])
    expect(r).toMatchObject({ status: 'stale' })
  })

  it('pinned references are not checked at all', async () => {
    const s = use(mockClient(anonymous))
    const r = await s.client.check(`reg.example/app:1@${AMD64}`, [])
    expect(r).toMatchObject({ status: 'fresh', pinned: true, matched: AMD64 })
    expect(s.client.stats().requests).toEqual({
      ping: 0,
      token: 0,
      manifestHead: 0,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })
})
