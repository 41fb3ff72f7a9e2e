/**
 * The public protocol steps and the exchange's interceptors on their own, as a diagnostic composes
 * them: without `retry` the first answer is what the caller sees, without `redirect` a redirect is
 * an answer like any other; `requestToken` falls back from the POST grant to GET on 404 and 405.
 */
import { MockAgent } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { anonymous, identityCreds, SECRET, TOKEN } from '../test/mock.ts'
import { composeExchange, createExchange, type Exchange, redirect, retry } from './exchange.ts'
import { fetchManifest } from './manifest.ts'
import { ping } from './ping.ts'
import { requestToken, resolveRealm, type TokenAttempt } from './token.ts'

const DIGEST = `sha256:${'b'.repeat(64)}`
const agents: MockAgent[] = []
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()))
})

function mock(): { agent: MockAgent; plain: Exchange } {
  const agent = new MockAgent()
  agent.disableNetConnect()
  agents.push(agent)
  return { agent, plain: createExchange({ dispatcherFor: () => agent, timeoutMs: 5000 }) }
}

describe('the exchange and its interceptors', () => {
  it('without retry() a 503 is the answer; with it the request is sent again', async () => {
    const { agent, plain } = mock()
    const pool = agent.get('https://r.example')
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(503, '')
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(503, '')
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}')
    const once = await ping(plain, { registry: 'r.example', apiHost: 'r.example' })
    expect(once.response.status).toBe(503)
    const sleeps: number[] = []
    const retried = composeExchange(
      plain,
      retry({ maxRetries: 2, sleep: async (ms) => void sleeps.push(ms) }),
    )
    const twice = await ping(retried, { registry: 'r.example', apiHost: 'r.example' })
    expect(twice.response.status).toBe(200)
    expect(sleeps).toEqual([500])
  })

  it('without redirect() a 307 is the answer; with it the target is asked, without Authorization across origins', async () => {
    const { agent, plain } = mock()
    const path = `/v2/app/manifests/${DIGEST}`
    const reply307 = () =>
      agent
        .get('https://r.example')
        .intercept({ path, method: 'GET' })
        .reply(307, '', { headers: { location: `https://cdn.example${path}` } })
    reply307()
    const o = {
      registry: 'r.example',
      base: 'https://r.example',
      repository: 'app',
      reference: DIGEST,
      method: 'GET' as const,
      authorization: `Bearer ${TOKEN}`,
    }
    expect((await fetchManifest(plain, o)).response.status).toBe(307)
    reply307()
    let auth: unknown = 'unset'
    agent
      .get('https://cdn.example')
      .intercept({ path, method: 'GET' })
      .reply((req) => {
        auth = (req.headers as Record<string, string>)['authorization']
        return {
          statusCode: 200,
          data: '{}',
          responseOptions: { headers: { 'docker-content-digest': DIGEST } },
        }
      })
    const followed = await fetchManifest(composeExchange(plain, redirect()), o)
    expect(followed).toMatchObject({ digest: DIGEST, response: { status: 200 } })
    expect(auth).toBeUndefined()
  })
})

describe('requestToken', () => {
  it.each([404, 405])('identity token: the POST answered %i falls back to GET with Basic', async (status) => {
    const { agent, plain } = mock()
    const pool = agent.get('https://auth.example')
    pool.intercept({ path: '/token', method: 'POST' }).reply(status, '')
    let query: URLSearchParams | undefined
    pool.intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' }).reply((req) => {
      query = new URL(req.path, 'https://x').searchParams
      return { statusCode: 200, data: JSON.stringify({ token: TOKEN, expires_in: 60 }) }
    })
    const attempts: TokenAttempt[] = []
    const token = await requestToken(
      plain,
      {
        registry: 'r.example',
        realm: resolveRealm({
          challenge: { scheme: 'bearer', params: { realm: 'https://auth.example/token' } },
          registry: 'r.example',
          scheme: 'https',
          apiHost: 'r.example',
          credentialKind: 'identity-token',
        }),
        service: 'svc',
        scopes: ['repository:app:pull'],
        credentials: identityCreds('r.example'),
        clientId: 'test',
        now: Date.now,
      },
      (a) => attempts.push(a),
    )
    expect(token).toMatchObject({ token: TOKEN, expiresIn: 60 })
    expect(attempts.map((a) => [a.method, a.grant, a.status])).toEqual([
      ['POST', 'refresh_token', status],
      ['GET', 'basic', 200],
    ])
    expect(query!.getAll('scope')).toEqual(['repository:app:pull'])
    expect(query!.get('service')).toBe('svc')
    expect(JSON.stringify(attempts.map(({ response: _r, ...a }) => a))).not.toContain(SECRET)
  })

  it('resolveRealm refuses to send credentials to a plain-http realm of an https registry, not anonymous ones', () => {
    const o = {
      challenge: { scheme: 'bearer', params: { realm: 'http://auth.example/token' } },
      registry: 'r.example',
      scheme: 'https' as const,
      apiHost: 'r.example',
    }
    expect(() => resolveRealm({ ...o, credentialKind: 'basic' })).toThrow(
      expect.objectContaining({ code: 'WT_REGISTRY_INSECURE_REALM' }),
    )
    expect(resolveRealm({ ...o, credentialKind: anonymous('r.example').kind }).href).toBe(
      'http://auth.example/token',
    )
  })
})
