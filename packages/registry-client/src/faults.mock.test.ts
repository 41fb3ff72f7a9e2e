/** MockAgent tier: rate limits, retries, timeouts, missing digest header, redirects, realm guard. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  anonymous,
  basicCreds,
  bearerPing,
  DIGEST_A,
  identityCreds,
  type MockSetup,
  mockClient,
  SECRET,
  TOKEN,
  tokenBody,
  trackMockSetups,
} from '../test/mock.ts'
import { isRegistryError } from './errors.ts'

const use = trackMockSetups()

const R = 'https://reg.example'
function open(s: MockSetup, origin = R) {
  s.agent.get(origin).intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}')
}

describe('rate limits and retries', () => {
  it('429 with Retry-After seconds: waits that long (per host), then succeeds', async () => {
    const s = use(mockClient(anonymous))
    open(s)
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(429, '', {
        headers: { 'retry-after': '7', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
      })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': DIGEST_A } })
    await expect(s.client.getDigest('reg.example/app')).resolves.toMatchObject({ digest: DIGEST_A })
    expect(s.sleeps).toEqual([7000])
    const stats = s.client.stats()
    expect(stats).toMatchObject({
      retries: 1,
      rateLimited: 1,
      rateLimit: { 'reg.example': { limit: 100, remaining: 0 } },
    })
    expect(s.events.find((e) => e.type === 'retry')).toMatchObject({
      delayMs: 7000,
      reason: 'HTTP 429',
      attempt: 1,
    })
  })

  it('503 with an HTTP-date Retry-After', async () => {
    const s = use(mockClient(anonymous))
    open(s)
    const at = new Date(s.clock.now + 12_000).toUTCString()
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(503, '', { headers: { 'retry-after': at } })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': DIGEST_A } })
    await s.client.getDigest('reg.example/app')
    expect(s.sleeps).toEqual([12_000])
  })

  it('a Retry-After beyond maxRetryAfterMs fails at once with WT_REGISTRY_RATE_LIMITED, and the host backs off', async () => {
    const s = use(mockClient(anonymous, { maxRetryAfterMs: 10_000 }))
    open(s)
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(429, '', { headers: { 'retry-after': '3600' } })
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_RATE_LIMITED')).toBe(true)
    expect((err as { retryAfterMs: number }).retryAfterMs).toBe(3_600_000)
    expect(s.sleeps).toEqual([])
    // The next request to that host fails fast while the pause lasts, and goes through after it.
    const again = await s.client.getDigest('reg.example/other').catch((e: unknown) => e)
    expect(again).toMatchObject({ code: 'WT_REGISTRY_RATE_LIMITED', retryAfterMs: 3_600_000 })
    expect((again as Error).message).toMatch(/reg.example asked to wait 3600 s/)
    s.clock.now += 3_600_000
    s.agent
      .get(R)
      .intercept({ path: '/v2/other/manifests/latest', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': DIGEST_A } })
    await s.client.getDigest('reg.example/other')
    expect(s.sleeps).toEqual([])
  })

  it('429 beyond the retry budget', async () => {
    const s = use(mockClient(anonymous, { maxRetries: 1 }))
    open(s)
    s.agent.get(R).intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' }).reply(429, '').times(2)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_RATE_LIMITED')).toBe(true)
  })

  it('bounded retries for 5xx and 408, with backoff; never for 404', async () => {
    const s = use(mockClient(anonymous, { maxRetries: 2 }))
    open(s)
    s.agent.get(R).intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' }).reply(502, '')
    s.agent.get(R).intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' }).reply(408, '')
    s.agent.get(R).intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' }).reply(504, '')
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_NETWORK')).toBe(true)
    expect((err as Error).message).toMatch(/failed with 504 after retries/)
    expect(s.sleeps).toEqual([500, 1000])
    s.agent.get(R).intercept({ path: '/v2/gone/manifests/1', method: 'HEAD' }).reply(404, '')
    const nf = await s.client.getDigest('reg.example/gone:1').catch((e: unknown) => e)
    expect(isRegistryError(nf, 'WT_REGISTRY_NOT_FOUND')).toBe(true)
    expect(s.client.stats().retries).toBe(2)
  })

  it('network errors are retried, then reported as WT_REGISTRY_NETWORK with the cause', async () => {
    const s = use(mockClient(anonymous, { maxRetries: 1 }))
    open(s)
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .replyWithError(reset)
      .times(2)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_NETWORK')).toBe(true)
    expect((err as Error).message).toMatch(/ECONNRESET/)
    expect((err as Error).cause).toBeDefined()
  })

  it('a TLS error is not retried', async () => {
    const s = use(mockClient(anonymous, { maxRetries: 3 }))
    const tls = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })
    s.agent.get(R).intercept({ path: '/v2/', method: 'GET' }).replyWithError(tls)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_TLS')).toBe(true)
    expect((err as Error).message).toMatch(/CERT_HAS_EXPIRED/)
    expect(s.sleeps).toEqual([])
  })

  it('every request has a timeout', async () => {
    const s = use(mockClient(anonymous, { timeoutMs: 50, maxRetries: 0 }))
    s.agent.get(R).intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}').delay(2000)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_TIMEOUT')).toBe(true)
    expect((err as Error).message).toMatch(/no answer within 50 ms: GET https:\/\/reg.example\/v2\//)
  })
})

describe('digests', () => {
  it('HEAD without Docker-Content-Digest → GET, sha256 of the exact bytes (not re-serialized)', async () => {
    const s = use(mockClient(anonymous))
    open(s)
    const body = '{\n   "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.manifest.v1+json" }\n'
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(200, '', { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/v1', method: 'GET' })
      .reply(200, body, { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })
    await expect(s.client.getDigest('reg.example/app:v1')).resolves.toEqual({
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    })
    expect(s.client.stats().requests).toMatchObject({ manifestHead: 1, manifestGet: 1 })
  })

  it('404 MANIFEST_UNKNOWN and NAME_UNKNOWN tell tag and repository apart', async () => {
    const s = use(mockClient(anonymous))
    open(s)
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/nope', method: 'GET' })
      .reply(404, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }))
    s.agent.get(R).intercept({ path: '/v2/app/manifests/nope', method: 'HEAD' }).reply(200, '')
    const a = await s.client.getDigest('reg.example/app:nope').catch((e: unknown) => e)
    expect(a).toMatchObject({ code: 'WT_REGISTRY_NOT_FOUND', registryCode: 'MANIFEST_UNKNOWN', status: 404 })
    expect((a as Error).message).toMatch(/app:nope not found on reg.example/)
  })
})

describe('redirects and realm guard', () => {
  it('Authorization is dropped on a cross-host redirect of the token request', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(307, '', { headers: { location: 'https://elsewhere.example/token?x=1' } })
    let auth: unknown = 'unset'
    s.agent
      .get('https://elsewhere.example')
      .intercept({ path: '/token?x=1', method: 'GET' })
      .reply((o) => {
        auth = (o.headers as Record<string, string>)['authorization']
        return { statusCode: 200, data: tokenBody() }
      })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': DIGEST_A } })
    await s.client.getDigest('reg.example/app')
    expect(auth).toBeUndefined()
  })

  it('Authorization follows a same-origin redirect but not one to another host (manifest → CDN)', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    s.agent
      .get(R)
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': 'Basic realm="Registry Realm"' } })
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply(302, '', { headers: { location: '/v2/app/manifests/moved' } })
    let same: unknown
    s.agent
      .get(R)
      .intercept({ path: '/v2/app/manifests/moved', method: 'HEAD' })
      .reply((o) => {
        same = (o.headers as Record<string, string>)['authorization']
        return {
          statusCode: 301,
          data: '',
          responseOptions: { headers: { location: 'https://cdn.example/m' } },
        }
      })
    let cross: unknown = 'unset'
    s.agent
      .get('https://cdn.example')
      .intercept({ path: '/m', method: 'HEAD' })
      .reply((o) => {
        cross = (o.headers as Record<string, string>)['authorization']
        return {
          statusCode: 200,
          data: '',
          responseOptions: { headers: { 'docker-content-digest': DIGEST_A } },
        }
      })
    await expect(s.client.getDigest('reg.example/app')).resolves.toMatchObject({ digest: DIGEST_A })
    expect(same).toMatch(/^Basic /)
    expect(cross).toBeUndefined()
  })

  it('an OAuth2 POST (refresh token in the body) is never resent to another origin on a 307', async () => {
    const s = use(mockClient(identityCreds))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: '/token', method: 'POST' })
      .reply(307, '', { headers: { location: 'https://elsewhere.example/token' } })
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'WT_REGISTRY_INSECURE_REALM' })
    expect((err as Error).message).toContain('→ https://elsewhere.example/token')
  })

  it('credentials are never sent to a realm that downgrades https to http', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    s.agent
      .get(R)
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="http://reg.example/token",service="reg"' },
      })
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_INSECURE_REALM')).toBe(true)
    expect(s.client.stats().requests.token).toBe(0)
  })
})

describe('secrets', () => {
  it('no password or token in events, errors or stats', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(200, tokenBody())
    s.agent.get(R).intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' }).reply(401, '')
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    const text = JSON.stringify([s.events, s.client.stats(), String(err), (err as Error).message, err])
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain(Buffer.from(`alice:${SECRET}`).toString('base64'))
  })
})
