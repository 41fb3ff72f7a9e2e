/**
 * MockAgent tier: only what the test bed's real registries cannot produce — other vendors'
 * challenges, 429/503 with Retry-After, 5xx, redirects, a missing digest header, realm tricks.
 */
import type { MockAgent } from 'undici'
import { describe, expect, it } from 'vitest'
import {
  anonymous,
  basicCreds,
  DIGEST_A,
  identityCreds,
  mockClient,
  SECRET,
  TOKEN,
  tokenBody,
  trackMockSetups,
} from '../test/mock.ts'
import { isRegistryError } from './errors.ts'
import { MANIFEST_ACCEPT } from './media-types.ts'

const use = trackMockSetups()

const HUB = 'https://registry-1.docker.io'
const HUB_CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'

function query(path: string): URLSearchParams {
  return new URL(path, 'https://x').searchParams
}

function headOk(
  agent: MockAgent,
  origin: string,
  path: string,
  digest: string,
  extra: Record<string, string> = {},
) {
  agent
    .get(origin)
    .intercept({ path, method: 'HEAD' })
    .reply(200, '', {
      headers: {
        'docker-content-digest': digest,
        'content-type': 'application/vnd.oci.image.index.v1+json',
        ...extra,
      },
    })
}

describe('Docker Hub (anonymous)', () => {
  it('ping → anonymous token (service + scope) → HEAD with the four media types; rate-limit headers read', async () => {
    const { agent, client, events } = use(mockClient(anonymous))
    agent
      .get(HUB)
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': HUB_CHALLENGE } })
    let tokenQuery: URLSearchParams | undefined
    let tokenAuth: unknown
    agent
      .get('https://auth.docker.io')
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply((opts) => {
        tokenQuery = query(opts.path)
        tokenAuth = (opts.headers as Record<string, string>)['authorization']
        return { statusCode: 200, data: tokenBody() }
      })
    let accept: string | undefined
    let auth: string | undefined
    agent
      .get(HUB)
      .intercept({ path: '/v2/library/nginx/manifests/latest', method: 'HEAD' })
      .reply((opts) => {
        const h = opts.headers as Record<string, string>
        accept = h['accept']
        auth = h['authorization']
        return {
          statusCode: 200,
          data: '',
          responseOptions: {
            headers: {
              'docker-content-digest': DIGEST_A,
              'content-type': 'application/vnd.oci.image.index.v1+json',
              'ratelimit-limit': '100;w=21600',
              'ratelimit-remaining': '76;w=21600',
            },
          },
        }
      })

    const remote = await client.getDigest('nginx')
    expect(remote).toEqual({ digest: DIGEST_A, mediaType: 'application/vnd.oci.image.index.v1+json' })
    expect(tokenQuery?.get('service')).toBe('registry.docker.io')
    expect(tokenQuery?.getAll('scope')).toEqual(['repository:library/nginx:pull'])
    expect(tokenAuth).toBeUndefined()
    expect(auth).toBe(`Bearer ${TOKEN}`)
    for (const t of MANIFEST_ACCEPT) expect(accept).toContain(t)
    const stats = client.stats()
    expect(stats.requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: 1,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
    expect(stats.rateLimit['registry-1.docker.io']).toEqual({
      limit: 100,
      remaining: 76,
      windowSeconds: 21600,
    })
    expect(events.map((e) => e.type)).toEqual([
      'ping',
      'credentials',
      'token-request',
      'token',
      'rate-limit',
      'manifest',
    ])
  })
})

describe('other vendors', () => {
  it('GHCR-style realm-only challenge, relative realm, access_token only', async () => {
    const { agent, client } = use(mockClient((r) => basicCreds(r)))
    agent
      .get('https://ghcr.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': 'Bearer realm="/token"' } })
    let q: URLSearchParams | undefined
    agent
      .get('https://ghcr.example')
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply((opts) => {
        q = query(opts.path)
        return { statusCode: 200, data: JSON.stringify({ access_token: TOKEN }) }
      })
    headOk(agent, 'https://ghcr.example', '/v2/org/app/manifests/1.2', DIGEST_A)
    await expect(client.getDigest('ghcr.example/org/app:1.2')).resolves.toMatchObject({ digest: DIGEST_A })
    expect(q?.has('service')).toBe(false)
    expect(q?.get('account')).toBe('alice')
  })

  it('Codeberg double challenge: Bearer is answered, not Basic', async () => {
    const { agent, client } = use(mockClient((r) => basicCreds(r)))
    agent
      .get('https://codeberg.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: {
          'www-authenticate':
            'Bearer realm="https://codeberg.example/v2/token",service="container_registry",scope="*",Basic realm="https://codeberg.example/v2",service="container_registry",scope="*"',
        },
      })
    agent
      .get('https://codeberg.example')
      .intercept({ path: (p) => p.startsWith('/v2/token?'), method: 'GET' })
      .reply(200, tokenBody())
    let auth: string | undefined
    agent
      .get('https://codeberg.example')
      .intercept({ path: '/v2/forgejo/forgejo/manifests/16', method: 'HEAD' })
      .reply((o) => {
        auth = (o.headers as Record<string, string>)['authorization']
        return {
          statusCode: 200,
          data: '',
          responseOptions: { headers: { 'docker-content-digest': DIGEST_A } },
        }
      })
    await client.getDigest('codeberg.example/forgejo/forgejo:16')
    expect(auth).toBe(`Bearer ${TOKEN}`)
  })

  it('ECR-style Basic challenge: Basic on the HEAD, no token step', async () => {
    const host = 'https://123456789012.dkr.ecr.us-east-1.amazonaws.example'
    const { agent, client } = use(mockClient((r) => basicCreds(r, 'AWS')))
    agent
      .get(host)
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: { 'www-authenticate': `Basic realm="${host}/",service="ecr.amazonaws.com"` },
      })
    let auth: string | undefined
    agent
      .get(host)
      .intercept({ path: '/v2/app/manifests/latest', method: 'HEAD' })
      .reply((o) => {
        auth = (o.headers as Record<string, string>)['authorization']
        return {
          statusCode: 200,
          data: '',
          responseOptions: { headers: { 'docker-content-digest': DIGEST_A } },
        }
      })
    await client.getDigest(`${new URL(host).host}/app`)
    expect(auth).toBe(`Basic ${Buffer.from(`AWS:${SECRET}`).toString('base64')}`)
    expect(client.stats().requests.token).toBe(0)
  })

  it('GCR-style 401 without a challenge on the resource stops (no loop)', async () => {
    const { agent, client } = use(mockClient((r) => basicCreds(r, '_json_key')))
    agent
      .get('https://gcr.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="https://gcr.example/v2/token",service="gcr.example"' },
      })
    agent
      .get('https://gcr.example')
      .intercept({ path: (p) => p.startsWith('/v2/token?'), method: 'GET' })
      .reply(200, tokenBody())
    agent
      .get('https://gcr.example')
      .intercept({ path: '/v2/p/app/manifests/latest', method: 'HEAD' })
      .reply(401, '')
    const err = await client.getDigest('gcr.example/p/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_UNAUTHORIZED')).toBe(true)
    expect((err as Error).message).toMatch(/registry refused the credentials of _json_key/)
    expect(client.stats().requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: 1,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })

  it('identity token: OAuth2 POST refresh_token grant, falling back to GET on 404', async () => {
    const { agent, client, events } = use(mockClient(identityCreds))
    agent
      .get('https://acr.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: {
          'www-authenticate': 'Bearer realm="https://acr.example/oauth2/token",service="acr.example"',
        },
      })
    let form: URLSearchParams | undefined
    agent
      .get('https://acr.example')
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply((o) => {
        form = new URLSearchParams(String(o.body))
        return { statusCode: 404, data: '' }
      })
    let getAuth: string | undefined
    agent
      .get('https://acr.example')
      .intercept({ path: (p) => p.startsWith('/oauth2/token?'), method: 'GET' })
      .reply((o) => {
        getAuth = (o.headers as Record<string, string>)['authorization']
        return { statusCode: 200, data: tokenBody() }
      })
    headOk(agent, 'https://acr.example', '/v2/app/manifests/latest', DIGEST_A)
    await client.getDigest('acr.example/app')
    expect(Object.fromEntries(form!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: SECRET,
      service: 'acr.example',
      client_id: 'watchtower-ts',
      scope: 'repository:app:pull',
    })
    expect(getAuth).toBe(`Basic ${Buffer.from(`<token>:${SECRET}`).toString('base64')}`)
    const reqs = events.filter((e) => e.type === 'token-request')
    expect(reqs.map((e) => [e.method, e.status])).toEqual([
      ['POST', 404],
      ['GET', 200],
    ])
  })

  it('identity token: the POST answer is used when the server speaks OAuth2', async () => {
    const { agent, client } = use(mockClient(identityCreds))
    agent
      .get('https://acr2.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="https://acr2.example/oauth2/token",service="s"' },
      })
    agent
      .get('https://acr2.example')
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(200, JSON.stringify({ access_token: TOKEN, expires_in: 3600 }))
    headOk(agent, 'https://acr2.example', '/v2/app/manifests/latest', DIGEST_A)
    await expect(client.getDigest('acr2.example/app')).resolves.toMatchObject({ digest: DIGEST_A })
  })
})
