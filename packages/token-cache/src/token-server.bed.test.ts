/**
 * The cache fed by the test bed's real token server (over its private-CA TLS): real `expires_in` /
 * `issued_at` answers, and the server's own request log proving single flight.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { clearTokenPolicy, setTokenPolicy, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createTokenCache } from './token-cache.ts'
import type { FetchedToken, TokenKey } from './types.ts'

const bed = inject('testbed')
const ca = readFileSync(bed.tls.caCert)
const prefixes: string[] = []

afterAll(async () => {
  for (const p of prefixes) await clearTokenPolicy(bed, p)
})

/** A token request to the bed's realm, read the way the registry client reads it. */
function fetchToken(scope: string, user?: { username: string; password: string }): Promise<FetchedToken> {
  const url = new URL(bed.tokenServer.realm)
  url.searchParams.set('service', bed.tokenServer.service)
  url.searchParams.set('scope', scope)
  const headers: Record<string, string> = user
    ? { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` }
    : {}
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`token endpoint answered ${res.statusCode}`))
        const json = JSON.parse(body) as Record<string, unknown>
        const token = (json['token'] ?? json['access_token']) as string
        resolve({
          token,
          ...(typeof json['expires_in'] === 'number' ? { expiresIn: json['expires_in'] } : {}),
          ...(typeof json['issued_at'] === 'string' ? { issuedAt: json['issued_at'] } : {}),
        })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

async function uniqueRepo(
  policy: { expiresIn?: number; omitExpiresIn?: boolean; issuedAtOffset?: number } = {},
) {
  const prefix = `${uniqueName('tc')}/`
  prefixes.push(prefix)
  if (Object.keys(policy).length > 0) await setTokenPolicy(bed, { repositoryPrefix: prefix, ...policy })
  return `${prefix}app`
}

const keyFor = (repo: string, identity: string): TokenKey => ({
  realm: bed.tokenServer.realm,
  service: bed.tokenServer.service,
  scopes: [`repository:${repo}:pull`],
  identity,
})

async function requestsFor(repo: string) {
  return (await tokenLog(bed)).filter((r) => r.scopes.some((s) => s.includes(repo)))
}

describe('token cache against the real token server', () => {
  it('200 concurrent callers: one token request reaches the server, all get its token', async () => {
    const repo = await uniqueRepo()
    const cache = createTokenCache()
    const scope = `repository:${repo}:pull`
    const got = await Promise.all(
      Array.from({ length: 200 }, () =>
        cache.get(keyFor(repo, 'fp-alice'), () => fetchToken(scope, bed.users.alice)),
      ),
    )
    expect(new Set(got.map((t) => t.token)).size).toBe(1)
    const log = await requestsFor(repo)
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ account: 'alice', status: 200 })
    expect(cache.stats()).toMatchObject({ fetches: 1, misses: 200, coalesced: 199 })
  })

  it('anonymous and authenticated tokens for one scope are fetched and kept apart', async () => {
    const repo = await uniqueRepo()
    const scope = `repository:${repo}:pull`
    const cache = createTokenCache()
    const anon = await cache.get(keyFor(repo, 'anonymous'), () => fetchToken(scope))
    const alice = await cache.get(keyFor(repo, 'fp-alice'), () => fetchToken(scope, bed.users.alice))
    expect(anon.token).not.toBe(alice.token)
    expect((await requestsFor(repo)).map((r) => r.account ?? 'anonymous').sort()).toEqual([
      'alice',
      'anonymous',
    ])
  })

  it('a refused request reaches every waiter and is not cached', async () => {
    const repo = await uniqueRepo()
    const scope = `repository:${repo}:pull`
    const cache = createTokenCache()
    const wrong = { username: 'alice', password: 'not-her-password' }
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => cache.get(keyFor(repo, 'fp-wrong'), () => fetchToken(scope, wrong))),
    )
    expect(settled.every((s) => s.status === 'rejected')).toBe(true)
    expect(String((settled[0] as PromiseRejectedResult).reason)).toContain('answered 401')
    expect(await requestsFor(repo)).toHaveLength(1)
    expect(cache.stats()).toMatchObject({ size: 0, failures: 1 })
  })

  it('expires_in 300 with a sane issued_at: about 300 s from the server issue time', async () => {
    const repo = await uniqueRepo({ expiresIn: 300 })
    const got = await createTokenCache().get(keyFor(repo, 'anonymous'), () =>
      fetchToken(`repository:${repo}:pull`),
    )
    expect(got.expiresAt - got.obtainedAt).toBeLessThanOrEqual(300_000)
    expect(got.expiresAt - got.obtainedAt).toBeGreaterThan(290_000)
  })

  it('no expires_in: 60 s', async () => {
    const repo = await uniqueRepo({ omitExpiresIn: true })
    const fetched = await fetchToken(`repository:${repo}:pull`)
    expect(fetched.expiresIn).toBeUndefined()
    const got = await createTokenCache().get(keyFor(repo, 'anonymous'), async () => fetched)
    expect(got.expiresAt - got.obtainedAt).toBeLessThanOrEqual(60_000)
    expect(got.expiresAt - got.obtainedAt).toBeGreaterThan(50_000)
  })

  it('expires_in 10: raised to 60 s', async () => {
    const repo = await uniqueRepo({ expiresIn: 10 })
    const fetched = await fetchToken(`repository:${repo}:pull`)
    expect(fetched.expiresIn).toBe(10)
    const got = await createTokenCache().get(keyFor(repo, 'anonymous'), async () => fetched)
    expect(got.expiresAt - got.obtainedAt).toBeGreaterThan(50_000)
  })

  it('issued_at an hour in the future: counted from receipt', async () => {
    const repo = await uniqueRepo({ expiresIn: 300, issuedAtOffset: 3600 })
    const got = await createTokenCache().get(keyFor(repo, 'anonymous'), () =>
      fetchToken(`repository:${repo}:pull`),
    )
    expect(got.expiresAt - got.obtainedAt).toBe(300_000)
  })
})
