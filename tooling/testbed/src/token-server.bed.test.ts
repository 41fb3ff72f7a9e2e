import { describe, expect, inject, it } from 'vitest'
import { basic, claims, get, tokenUrl } from './_test-util.ts'
import { dockerCli, pushImage, registryRequests, setTokenPolicy, tokenLog, uniqueName } from './index.ts'

const bed = inject('testbed')
const alice = basic(bed.users.alice.username, bed.users.alice.password)

async function post(
  form: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const { Agent, request } = await import('undici')
  const { readFileSync } = await import('node:fs')
  const agent = new Agent({ connect: { ca: readFileSync(bed.tls.caCert) } })
  try {
    const res = await request(bed.tokenServer.realm, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    })
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> }
  } finally {
    await agent.close()
  }
}

describe('token registry', () => {
  it('a container runs from an image the engine pulled from the token registry; the log shows the scopes', async () => {
    const repository = uniqueName('alice/run')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: 'x' })
    await dockerCli(bed, ['rmi', pushed.ref], { reject: true })
    await dockerCli(bed, ['pull', pushed.ref], { reject: true })
    const name = uniqueName('wt-smoke')
    await dockerCli(bed, ['run', '-d', '--network', 'none', '--name', name, pushed.ref], { reject: true })
    try {
      const out = await dockerCli(bed, ['exec', name, 'cat', '/version'], { reject: true })
      expect(out.stdout.trim()).toBe('v2')
      await dockerCli(bed, ['stop', '-t', '30', name], { reject: true })
      const state = await dockerCli(bed, ['inspect', '--format', '{{.State.ExitCode}}', name])
      expect(state.stdout.trim()).toBe('0')
    } finally {
      await dockerCli(bed, ['rm', '-f', name])
    }
    const mine = (await tokenLog(bed)).filter((r) => r.scopes.some((s) => s.includes(repository)))
    // The engine asks for push and pull when pushing, pull alone when pulling.
    const push = mine.find((r) => r.scopes.includes(`repository:${repository}:push,pull`))
    expect(push).toMatchObject({ status: 200, account: 'alice' })
    const pull = mine.find((r) => r.scopes.includes(`repository:${repository}:pull`))
    expect(pull).toMatchObject({ status: 200, account: 'alice', service: bed.tokenServer.service })
    expect(pull?.granted).toEqual([{ type: 'repository', name: repository, actions: ['pull'] }])
    const hits = await registryRequests(bed, 'token', repository)
    expect(hits.some((r) => r.path.includes('/manifests/x') && r.status === 200)).toBe(true)
  })

  it('refuses a wrong password with 401 and logs it', async () => {
    const repository = uniqueName('alice/wrongpw')
    const res = await get(bed, tokenUrl(bed, `repository:${repository}:pull`), {
      headers: { authorization: basic('alice', 'not-the-password') },
    })
    expect(res.status).toBe(401)
    const rec = (await tokenLog(bed)).find((r) => r.scopes.some((s) => s.includes(repository)))
    expect(rec).toMatchObject({ status: 401, account: 'alice', granted: [] })
  })

  it('grants the intersection of asked and allowed; its JWT opens the registry', async () => {
    const repository = uniqueName('bob/app')
    const other = uniqueName('alice/app')
    const bob = basic(bed.users.bob.username, bed.users.bob.password)
    const res = await get(
      bed,
      tokenUrl(bed, `repository:${repository}:pull,push,delete`, `repository:${other}:pull`),
      {
        headers: { authorization: bob },
      },
    )
    expect(res.status).toBe(200)
    const body = JSON.parse(res.body) as {
      token: string
      access_token: string
      expires_in: number
      issued_at: string
    }
    expect(body.expires_in).toBe(300)
    expect(body.access_token).toBe(body.token)
    const c = claims(body.token)
    expect(c).toMatchObject({ iss: bed.tokenServer.issuer, aud: bed.tokenServer.service, sub: 'bob' })
    expect(c['access']).toEqual([{ type: 'repository', name: repository, actions: ['pull', 'push'] }])
    const header = JSON.parse(Buffer.from(body.token.split('.')[0]!, 'base64url').toString()) as {
      alg: string
      x5c: string[]
    }
    expect(header.alg).toBe('RS256')
    expect(header.x5c).toHaveLength(1)
    // The registry accepts the token (404: the repository is empty, not 401).
    const reg = await get(bed, `${bed.registries.token.url}/v2/${repository}/tags/list`, {
      headers: { authorization: `Bearer ${body.token}` },
    })
    expect(reg.status).toBe(404)
    const anon = await get(bed, tokenUrl(bed, `repository:public/${repository}:pull,push`))
    expect(claims((JSON.parse(anon.body) as { token: string }).token)['access']).toEqual([
      { type: 'repository', name: `public/${repository}`, actions: ['pull'] },
    ])
  })

  it('OAuth2 form: password grant with offline access gives a refresh token that works once more', async () => {
    const repository = uniqueName('alice/oauth')
    const scope = `repository:${repository}:pull`
    const first = await post({
      grant_type: 'password',
      username: bed.users.alice.username,
      password: bed.users.alice.password,
      service: bed.tokenServer.service,
      client_id: 'wt-testbed',
      access_type: 'offline',
      scope,
    })
    expect(first.status).toBe(200)
    expect(typeof first.json['refresh_token']).toBe('string')
    const again = await post({
      grant_type: 'refresh_token',
      refresh_token: String(first.json['refresh_token']),
      service: bed.tokenServer.service,
      client_id: 'wt-testbed',
      scope,
    })
    expect(again.status).toBe(200)
    expect(claims(String(again.json['access_token']))['sub']).toBe('alice')
    const bad = await post({
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      service: bed.tokenServer.service,
      scope,
    })
    expect(bad.status).toBe(401)
    const recs = (await tokenLog(bed)).filter((r) => r.scopes.includes(scope))
    expect(recs.map((r) => [r.method, r.grantType, r.status])).toEqual([
      ['POST', 'password', 200],
      ['POST', 'refresh_token', 200],
      ['POST', 'refresh_token', 401],
    ])
  })

  it('follows the policy of the longest matching prefix', async () => {
    const prefix = uniqueName('alice/policy')
    await setTokenPolicy(bed, {
      repositoryPrefix: prefix,
      expiresIn: 42,
      accessTokenOnly: true,
      issuedAtOffset: -3600,
    })
    const res = await get(bed, tokenUrl(bed, `repository:${prefix}/x:pull`), {
      headers: { authorization: alice },
    })
    const body = JSON.parse(res.body) as Record<string, unknown>
    expect(body['expires_in']).toBe(42)
    expect(body['token']).toBeUndefined()
    expect(Date.now() - Date.parse(String(body['issued_at']))).toBeGreaterThan(3_000_000)
    await setTokenPolicy(bed, { repositoryPrefix: `${prefix}/down`, failWith: 503 })
    const down = await get(bed, tokenUrl(bed, `repository:${prefix}/down:pull`), {
      headers: { authorization: alice },
    })
    expect(down.status).toBe(503)
  })
})
