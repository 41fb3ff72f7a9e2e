/**
 * Hostile registries and token servers (real HTTPS servers on loopback, the bed's certificate):
 * every answer is bounded in size and time, a registry cannot widen the token scope, an https
 * answer never comes from plain http, and one registry never gets another's token.
 */
import { readFileSync } from 'node:fs'
import { createRegistryCredentials } from '@watchtower-ts/credentials'
import { type HostileServer, hostile, hostileServer } from '@watchtower-ts/testbed'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { type BedClient, bedClient } from '../test/bed.ts'
import type { CredentialResolverLike } from './_deps.ts'
import { isRegistryError } from './errors.ts'

const bed = inject('testbed')
const servers: HostileServer[] = []
const clients: BedClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const PASSWORD = 'hostile-Pa55-word'
const DIGEST = `sha256:${'c'.repeat(64)}`

async function server(tls = true): Promise<HostileServer> {
  const s = await hostileServer(
    tls ? { tls: { cert: readFileSync(bed.tls.serverCert), key: readFileSync(bed.tls.serverKey) } } : {},
  )
  servers.push(s)
  return s
}

function alice(): CredentialResolverLike {
  return {
    resolve: async (registry) =>
      createRegistryCredentials({
        registry,
        kind: 'basic',
        username: 'alice',
        secret: PASSWORD,
        source: { kind: 'env', description: 'env REPO_USER' },
      }),
  }
}

async function client(options: Parameters<typeof bedClient>[2] = {}): Promise<BedClient> {
  const c = await bedClient(bed, alice(), { timeoutMs: 2_000, maxRetries: 0, ...options })
  clients.push(c)
  return c
}

/** A registry on `reg` asking for tokens from `realm`. */
function bearerRegistry(reg: HostileServer, realm: string, service = 'hostile') {
  reg.route(
    '/v2/',
    hostile.json(401, {}, { 'www-authenticate': `Bearer realm="${realm}",service="${service}"` }),
  )
}

function manifestOk(reg: HostileServer, repository = 'app') {
  reg.route(`/v2/${repository}/manifests/latest`, (_req, res) => {
    res.writeHead(200, {
      'docker-content-digest': DIGEST,
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      'content-length': '2',
    })
    res.end()
  })
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e as Error & { code?: string },
  )
}

describe('every answer is bounded: a cap per kind and a total deadline', () => {
  it('an endless manifest body stops at the 4 MiB cap, naming the URL and the cap', async () => {
    const reg = await server()
    reg.route('/v2/', hostile.json(200, {}))
    reg.route('/v2/app/manifests/latest', hostile.endless())
    const c = await client()
    const e = await rejection(c.client.getDigest(`${reg.host}/app:latest`))
    expect(e.code).toBe('WT_REGISTRY_BODY_TOO_LARGE')
    expect(e.message).toContain(`${4 * 1024 * 1024}-byte cap`)
    expect(e.message).toContain(`https://${reg.host}/v2/app/manifests/latest`)
  })

  it('an endless token answer stops at the 1 MiB cap', async () => {
    const reg = await server()
    const tok = await server()
    bearerRegistry(reg, `${tok.url}/token`)
    tok.route('/token', hostile.endless())
    const c = await client()
    const e = await rejection(c.client.getDigest(`${reg.host}/app:latest`))
    expect(e.code).toBe('WT_REGISTRY_BODY_TOO_LARGE')
    expect(e.message).toContain(`${1024 * 1024}-byte cap`)
  })

  it('a token server that trickles one byte every 50 ms is cut at the total deadline, not kept alive', async () => {
    const reg = await server()
    const tok = await server()
    bearerRegistry(reg, `${tok.url}/token`)
    tok.route('/token', hostile.trickle(50))
    const c = await client({ timeoutMs: 800 })
    const started = Date.now()
    const e = await rejection(c.client.getDigest(`${reg.host}/app:latest`))
    expect(e.code).toBe('WT_REGISTRY_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(e.message).not.toContain(PASSWORD)
  })
})

describe('token scopes: only pull on the repository being checked', () => {
  it.each([
    ['push on the same repository', 'repository:app:push,pull'],
    ['pull on another repository', 'repository:other/secret:pull'],
    ['the catalog', 'registry:catalog:*'],
  ])(
    'an insufficient_scope answer asking for %s is an error naming the scope; no such token is asked',
    async (_n, scope) => {
      const reg = await server()
      const tok = await server()
      bearerRegistry(reg, `${tok.url}/token`)
      tok.route('/token', hostile.json(200, { token: 'tok-1234567890', expires_in: 300 }))
      reg.route(
        '/v2/app/manifests/latest',
        hostile.json(
          401,
          {},
          {
            'www-authenticate': `Bearer realm="${tok.url}/token",service="hostile",scope="${scope}",error="insufficient_scope"`,
          },
        ),
      )
      const c = await client()
      const e = await rejection(c.client.getDigest(`${reg.host}/app:latest`))
      expect(e.code).toBe('WT_REGISTRY_SCOPE_REFUSED')
      expect(e.message).toContain(JSON.stringify(scope))
      const asked = tok.requests.map((r) => new URL(r.url, tok.url).searchParams.getAll('scope'))
      expect(asked).toEqual([['repository:app:pull']])
    },
  )
})

describe('transport rules', () => {
  it('an https registry redirecting to plain http is refused; the http server is never asked', async () => {
    const reg = await server()
    const plain = await server(false)
    reg.route('/v2/', hostile.json(200, {}))
    reg.route('/v2/app/manifests/latest', hostile.redirect(`${plain.url}/v2/app/manifests/latest`))
    manifestOk(plain)
    const c = await client()
    const e = await rejection(c.client.getDigest(`${reg.host}/app:latest`))
    expect(e.code).toBe('WT_REGISTRY_INSECURE_REALM')
    expect(e.message).toContain('from https to plain http')
    expect(plain.requests).toEqual([])
  })

  it("registry B naming registry A's token server, service and scope does not get A's token", async () => {
    const a = await server()
    const b = await server()
    const tok = await server()
    let n = 0
    tok.route('/token', (_req, res) => {
      n++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ token: `token-for-request-${n}`, expires_in: 300 }))
    })
    for (const r of [a, b]) {
      bearerRegistry(r, `${tok.url}/token`, 'shared')
      manifestOk(r)
    }
    const c = await client()
    await c.client.getDigest(`${a.host}/app:latest`)
    await c.client.getDigest(`${b.host}/app:latest`)
    expect(tok.requests).toHaveLength(2)
    const authOf = (s: HostileServer) =>
      s.requests.find((r) => r.url.includes('/manifests/'))?.headers['authorization']
    expect(authOf(a)).toBe('Bearer token-for-request-1')
    expect(authOf(b)).toBe('Bearer token-for-request-2')
  })

  it('credentials go to a token realm on another host by default (as with Docker); realmSameHost refuses it', async () => {
    const reg = await server()
    const tok = await server()
    // same machine, other host name: the bed certificate covers both 127.0.0.1 and localhost
    const realm = `https://localhost:${tok.host.split(':')[1]}/token`
    bearerRegistry(reg, realm)
    manifestOk(reg)
    tok.route('/token', hostile.json(200, { token: 'tok-1234567890', expires_in: 300 }))
    const open = await client()
    await open.client.getDigest(`${reg.host}/app:latest`)
    expect(tok.requests[0]?.headers['authorization']).toMatch(/^Basic /)

    const strict = await client({ realmSameHost: true })
    const e = await rejection(strict.client.getDigest(`${reg.host}/app:latest`))
    expect(isRegistryError(e, 'WT_REGISTRY_INSECURE_REALM')).toBe(true)
    expect(e.message).toContain('--registry-realm-same-host')
    expect(tok.requests).toHaveLength(1)
  })
})
