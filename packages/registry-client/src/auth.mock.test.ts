/** MockAgent tier: the authorization loop (scope upgrades, loops that must stop, shared-token fallback). */
import { createTokenCache } from '@watchtower-ts/token-cache'
import { describe, expect, it } from 'vitest'
import {
  anonymous,
  basicCreds,
  bearerPing,
  CHALLENGE,
  DIGEST_A,
  type MockSetup,
  mockClient,
  tokenBody,
  trackMockSetups,
} from '../test/mock.ts'
import { isRegistryError } from './errors.ts'

const use = trackMockSetups()

const R = 'https://reg.example'
/** Token endpoint answering `token-<n>` and recording the scopes of each request. */
function tokenServer(s: MockSetup, seen: string[][], times = 1, status = 200) {
  s.agent
    .get(R)
    .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
    .reply((o) => {
      seen.push(new URL(o.path, R).searchParams.getAll('scope'))
      return { statusCode: status, data: status === 200 ? tokenBody({ token: `token-${seen.length}` }) : '' }
    })
    .times(times)
}
function head(
  s: MockSetup,
  repo: string,
  status: number,
  check?: (auth: string) => void,
  challenge?: string,
) {
  s.agent
    .get(R)
    .intercept({ path: `/v2/${repo}/manifests/latest`, method: 'HEAD' })
    .reply((o) => {
      check?.((o.headers as Record<string, string>)['authorization'] ?? '')
      const headers: Record<string, string> =
        status === 200
          ? { 'docker-content-digest': DIGEST_A }
          : challenge
            ? { 'www-authenticate': challenge }
            : {}
      return { statusCode: status, data: '', responseOptions: { headers } }
    })
}

describe('authorization loop', () => {
  it('insufficient_scope naming a scope beyond pull on the repository: refused, never asked for', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    head(s, 'app', 401, undefined, `${CHALLENGE},scope="repository:base/img:pull",error="insufficient_scope"`)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_SCOPE_REFUSED')).toBe(true)
    expect((err as Error).message).toContain('"repository:base/img:pull"')
    expect(seen).toEqual([['repository:app:pull']])
  })

  it('a repeated 401 with the same challenge stops instead of looping', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    const same = `${CHALLENGE},scope="repository:app:pull",error="insufficient_scope"`
    head(s, 'app', 401, undefined, same)
    const err = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    expect(isRegistryError(err, 'WT_REGISTRY_UNAUTHORIZED')).toBe(true)
    expect(s.client.stats().requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: 1,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })

  it('a cached token the registry refuses is evicted and fetched once more', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 2)
    head(s, 'app', 200)
    await s.client.getDigest('reg.example/app')
    head(s, 'app', 401, (a) => expect(a).toBe('Bearer token-1'), CHALLENGE)
    head(s, 'app', 200, (a) => expect(a).toBe('Bearer token-2'))
    await s.client.getDigest('reg.example/app')
    expect(seen).toHaveLength(2)
    expect(s.client.stats().tokenCache.evictions).toBe(1)
  })

  it('a token-server 401 is WT_REGISTRY_TOKEN_DENIED, asked once per cycle', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1, 401)
    const a = await s.client.getDigest('reg.example/app').catch((e: unknown) => e)
    const b = await s.client.getDigest('reg.example/other').catch((e: unknown) => e)
    expect(isRegistryError(a, 'WT_REGISTRY_TOKEN_DENIED')).toBe(true)
    expect((a as Error).message).toMatch(
      /token server refused the credentials of alice \(env REPO_USER\) with 401/,
    )
    expect(b).toBe(a)
    expect(seen).toHaveLength(1)
  })
})

it('an anonymous token refusal is per repository (not remembered for the cycle)', async () => {
  const s = use(mockClient(anonymous))
  bearerPing(s)
  const seen: string[][] = []
  tokenServer(s, seen, 1, 401)
  tokenServer(s, seen, 1)
  head(s, 'public', 200)
  const a = await s.client.getDigest('reg.example/private').catch((e: unknown) => e)
  expect(a).toMatchObject({ code: 'WT_REGISTRY_TOKEN_DENIED' })
  expect((a as Error).message).toMatch(/an anonymous token \(no credentials configured\)/)
  await expect(s.client.getDigest('reg.example/public')).resolves.toMatchObject({ digest: DIGEST_A })
})

describe('one token per registry per cycle', () => {
  it('startCycle(refs): one token with every scope, then HEADs only', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    for (const repo of ['a', 'b', 'c']) head(s, repo, 200, (auth) => expect(auth).toBe('Bearer token-1'))
    const refs = ['reg.example/a', 'reg.example/b:latest', 'reg.example/c']
    s.client.startCycle(refs)
    await Promise.all(refs.map((r) => s.client.getDigest(r)))
    expect(seen).toEqual([['repository:a:pull', 'repository:b:pull', 'repository:c:pull']])
    expect(s.client.stats().requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: 3,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })

  it('a refused cached token is evicted once: concurrent callers share one new token', async () => {
    const tokenCache = createTokenCache()
    const creds = basicCreds('reg.example')
    const s = use(mockClient(() => creds, { tokenCache }))
    const scopes = ['a', 'b', 'c'].map((r) => `repository:${r}:pull`)
    const key = {
      registry: 'reg.example',
      realm: 'https://reg.example/token',
      service: 'reg',
      scopes,
      identity: creds.fingerprint,
    }
    await tokenCache.get(key, async () => ({ token: 'revoked', expiresIn: 300 }))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    for (const repo of ['a', 'b', 'c']) {
      head(s, repo, 401, (auth) => expect(auth).toBe('Bearer revoked'), CHALLENGE)
      head(s, repo, 200, (auth) => expect(auth).toBe('Bearer token-1'))
    }
    const refs = ['a', 'b', 'c'].map((r) => `reg.example/${r}`)
    s.client.startCycle(refs)
    await Promise.all(refs.map((r) => s.client.getDigest(r)))
    expect(seen).toEqual([scopes])
    expect(tokenCache.stats()).toMatchObject({ evictions: 1, fetches: 2 })
  })

  it('falls back to one token per repository when the registry refuses the shared token', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 3)
    head(s, 'a', 401, undefined, CHALLENGE)
    head(s, 'a', 200, (auth) => expect(auth).toBe('Bearer token-2'))
    head(s, 'b', 200, (auth) => expect(auth).toBe('Bearer token-3'))
    s.client.startCycle(['reg.example/a', 'reg.example/b'])
    await s.client.getDigest('reg.example/a')
    await s.client.getDigest('reg.example/b')
    expect(seen).toEqual([
      ['repository:a:pull', 'repository:b:pull'],
      ['repository:a:pull'],
      ['repository:b:pull'],
    ])
    expect(s.client.stats().authFallbacks).toBe(1)
  })

  it('falls back when the token server refuses the multi-scope request (e.g. 400 too many scopes)', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1, 400)
    tokenServer(s, seen, 1)
    head(s, 'a', 200, (auth) => expect(auth).toBe('Bearer token-2'))
    s.client.startCycle(['reg.example/a', 'reg.example/b'])
    await s.client.getDigest('reg.example/a')
    expect(seen).toEqual([['repository:a:pull', 'repository:b:pull'], ['repository:a:pull']])
  })

  it('maxScopesPerToken splits a big cycle into groups (sorted, deterministic)', async () => {
    const s = use(mockClient((r) => basicCreds(r), { maxScopesPerToken: 2 }))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 3)
    for (const repo of ['a', 'b', 'c', 'd', 'e']) head(s, repo, 200)
    const refs = ['e', 'd', 'c', 'b', 'a'].map((r) => `reg.example/${r}`)
    s.client.startCycle(refs)
    await Promise.all(refs.map((r) => s.client.getDigest(r)))
    expect(seen.map((x) => x.join(' ')).sort()).toEqual([
      'repository:a:pull repository:b:pull',
      'repository:c:pull repository:d:pull',
      'repository:e:pull',
    ])
  })

  it('perRepositoryTokens: that registry never gets a shared token', async () => {
    const s = use(mockClient((r) => basicCreds(r), { perRepositoryTokens: ['reg.example'] }))
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    head(s, 'a', 200)
    s.client.startCycle(['reg.example/a', 'reg.example/b'])
    await s.client.getDigest('reg.example/a')
    expect(seen).toEqual([['repository:a:pull']])
  })

  it('startCycle forgets the ping and digests: one ping per registry, one HEAD per reference per cycle', async () => {
    const s = use(mockClient((r) => basicCreds(r)))
    bearerPing(s)
    bearerPing(s)
    const seen: string[][] = []
    tokenServer(s, seen, 1)
    head(s, 'a', 200)
    head(s, 'a', 200)
    s.client.startCycle()
    await s.client.getDigest('reg.example/a')
    await s.client.getDigest('reg.example/a')
    s.client.startCycle()
    await s.client.getDigest('reg.example/a')
    expect(s.client.stats().requests).toEqual({
      ping: 2,
      token: 1,
      manifestHead: 2,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
  })
})
