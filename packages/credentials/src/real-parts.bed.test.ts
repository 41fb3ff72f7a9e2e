/**
 * Against the real parts of the test bed: the real docker-credential-pass with the bed's pass
 * store, config.json files written by the real `docker login` (Docker CLI 28 and 20.10), the real
 * distribution registries (basic and token auth) and the real dockerd (X-Registry-Auth pulls).
 */
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { dockerCli, pushImage, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { expectNoSecrets, useTmp, writeConfig } from '../test/fixtures.ts'
import { anonymousCredentials } from './credentials.ts'
import { createCredentialResolver } from './resolver.ts'
import { spawnHelper } from './run-helper.ts'
import type { RegistryCredentials } from './types.ts'

const bed: Testbed = inject('testbed')
const tmp = useTmp()
const alice = bed.users.alice
const HOME = process.env.HOME ?? '/root'
/** PATH with the real docker-credential-pass, pass and gpg (all in /usr/bin). */
const passEnv = { ...bed.pass.env, HOME, PATH: '/usr/bin:/bin' }
const caPem = await readFile(bed.tls.caCert, 'utf8')

async function passHelper(action: 'store' | 'erase', input: string): Promise<void> {
  const r = await spawnHelper('docker-credential-pass', [action], { input, env: passEnv, timeoutMs: 30_000 })
  expect(r.code, `docker-credential-pass ${action}: ${r.stdout} ${r.stderr}`).toBe(0)
}

/** Status and body of a GET to the bed's TLS endpoints (private CA). */
function httpsGet(url: string, authorization?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: caPem, headers: authorization ? { authorization } : {} }, (res) => {
      let body = ''
      res.on('data', (c) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Proves the resolved credential is the one the real registry accepts. */
async function expectRegistryAccepts(registry: 'basic' | 'token', c: RegistryCredentials, repo = 'anything') {
  const auth = c.basicAuthorization()
  if (registry === 'basic') {
    expect((await httpsGet(`${bed.registries.basic.url}/v2/`, auth)).status).toBe(200)
    expect((await httpsGet(`${bed.registries.basic.url}/v2/`)).status).toBe(401)
  } else {
    const { realm, service } = bed.tokenServer
    const url = `${realm}?service=${encodeURIComponent(service)}&scope=repository:${repo}:pull`
    const ok = await httpsGet(url, auth)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body).token).toEqual(expect.any(String))
    const wrong = await httpsGet(url, `Basic ${Buffer.from(`${alice.username}:wrong`).toString('base64')}`)
    expect(wrong.status).not.toBe(200)
  }
}

describe('real docker-credential-pass (the bed’s pass store)', () => {
  const stored: string[] = []
  afterAll(async () => {
    for (const host of stored) await passHelper('erase', host)
  })

  async function storeUnique(username: string, secret: string): Promise<string> {
    const host = `${uniqueName('wt-cred')}.example.invalid:5000`
    await passHelper('store', JSON.stringify({ ServerURL: host, Username: username, Secret: secret }))
    stored.push(host)
    return host
  }

  it('credHelpers[host] → docker-credential-pass', async () => {
    const host = await storeUnique('carol', 'c4rol:pw:with:colons')
    const dir = await tmp()
    await writeConfig(dir, { credHelpers: { [host]: 'pass' } })
    const c = await createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } }).resolve(host)
    expect([c.kind, c.username, c.secret()]).toEqual(['basic', 'carol', 'c4rol:pw:with:colons'])
    expect(c.source).toMatchObject({ kind: 'cred-helper', helper: 'docker-credential-pass', key: host })
    expect(c.source.description).toMatch(/^credHelpers → docker-credential-pass /)
    expectNoSecrets(c, ['c4rol:pw:with:colons'])
  })

  it('credsStore → docker-credential-pass, with the `{}` placeholder docker login leaves in auths', async () => {
    const host = await storeUnique('dave', 'd4ve-secret')
    const dir = await tmp()
    await writeConfig(dir, { auths: { [host]: {} }, credsStore: 'pass' })
    const c = await createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } }).resolve(
      `https://${host}/v2/`,
    )
    expect([c.kind, c.username, c.secret(), c.source.kind]).toEqual([
      'basic',
      'dave',
      'd4ve-secret',
      'creds-store',
    ])
  })

  it('Username "<token>" comes back as an identity token', async () => {
    const host = await storeUnique('<token>', 'refresh-token-from-pass')
    const dir = await tmp()
    await writeConfig(dir, { credsStore: 'pass' })
    const c = await createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } }).resolve(host)
    expect([c.kind, c.username, c.secret()]).toEqual(['identity-token', undefined, 'refresh-token-from-pass'])
  })

  it('GCloud `_json_key` with a multi-line JSON secret survives the real store', async () => {
    const key = JSON.stringify(
      { type: 'service_account', private_key: '-----BEGIN-----\nMII\n-----END-----\n' },
      null,
      2,
    )
    const host = await storeUnique('_json_key', key)
    const dir = await tmp()
    await writeConfig(dir, { credsStore: 'pass' })
    const c = await createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } }).resolve(host)
    expect([c.username, c.secret()]).toEqual(['_json_key', key])
  })

  it('an unknown server (pass answers empty Username/Secret with exit 0) is anonymous', async () => {
    const dir = await tmp()
    await writeConfig(dir, { credsStore: 'pass' })
    const host = `${uniqueName('wt-cred-none')}.example.invalid`
    const raw = await spawnHelper('docker-credential-pass', ['get'], {
      input: host,
      env: passEnv,
      timeoutMs: 30_000,
    })
    expect(JSON.parse(raw.stdout)).toEqual({ ServerURL: host, Username: '', Secret: '' })
    const c = await createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } }).resolve(host)
    expect(c.kind).toBe('anonymous')
  })
})

const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'] as const
const cases = CLIS.flatMap((cli) =>
  (['basic', 'token'] as const).flatMap((registry) =>
    (['pass helper on PATH', 'no helper on PATH'] as const).map((mode) => ({ cli, registry, mode })),
  ),
)

describe('config.json written by the real `docker login`', () => {
  it.each(cases)('$cli login to the $registry registry, $mode', async ({ cli, registry, mode }) => {
    const host = bed.registries[registry].host
    const dir = await tmp()
    const emptyBin = await tmp()
    const withPass = mode === 'pass helper on PATH'
    const loginEnv = {
      DOCKER_CONFIG: dir,
      DOCKER_HOST: bed.docker.host,
      ...(withPass ? passEnv : { HOME, PATH: emptyBin }),
    }
    const login = await spawnHelper(cli, ['login', '-u', alice.username, '--password-stdin', host], {
      input: alice.password,
      env: loginEnv,
      timeoutMs: 60_000,
    })
    expect(login.code, `docker login: ${login.stdout} ${login.stderr}`).toBe(0)
    const written = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    if (withPass) {
      expect(written).toMatchObject({ credsStore: 'pass', auths: { [host]: {} } })
      expect(written.auths[host].auth).toBeUndefined()
    } else {
      expect(written.credsStore).toBeUndefined()
      expect(written.auths[host].auth).toEqual(expect.any(String))
    }

    // Resolve with the pass helper available (as watchtower would run), for every spelling of the host.
    const resolver = createCredentialResolver({ env: { ...passEnv, DOCKER_CONFIG: dir } })
    for (const asked of [host, `https://${host}`, `https://${host}/v2/`]) {
      const c = await resolver.resolve(asked)
      expect([c.registry, c.kind, c.username, c.secret()]).toEqual([
        host,
        'basic',
        alice.username,
        alice.password,
      ])
      expect(c.source.kind).toBe(withPass ? 'creds-store' : 'auths')
      expect(c.source.description).toBe(
        withPass
          ? `credsStore → docker-credential-pass (config.json ${dir}/config.json)`
          : `config.json ${dir}/config.json auths[${JSON.stringify(host)}]`,
      )
      expectNoSecrets(c, [alice.password, written.auths[host].auth ?? alice.password])
    }
    await expectRegistryAccepts(registry, await resolver.resolve(host))
  })
})

describe('config.json rewritten by the real docker CLI is picked up without restart', () => {
  it('docker login as alice, then as bob (the CLI replaces the file), then docker logout', async () => {
    const { stat } = await import('node:fs/promises')
    const host = bed.registries.basic.host
    const dir = await tmp()
    const env = { HOME, DOCKER_CONFIG: dir, DOCKER_HOST: bed.docker.host, PATH: await tmp() }
    const docker = async (args: string[], input = '') => {
      const r = await spawnHelper('/usr/bin/docker', args, { input, env, timeoutMs: 60_000 })
      expect(r.code, `docker ${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(0)
    }
    const resolver = createCredentialResolver({ env: { DOCKER_CONFIG: dir, PATH: '/nonexistent' } })
    expect((await resolver.resolve(host)).kind).toBe('anonymous')

    await docker(['login', '-u', alice.username, '--password-stdin', host], alice.password)
    const first = await stat(join(dir, 'config.json'))
    expect((await resolver.resolve(host)).username).toBe(alice.username)

    const bob = bed.users.bob
    await docker(['login', '-u', bob.username, '--password-stdin', host], bob.password)
    const second = await stat(join(dir, 'config.json'))
    const c = await resolver.resolve(host)
    expect([c.username, c.secret()]).toEqual([bob.username, bob.password])
    await expectRegistryAccepts('basic', c)
    // The CLI writes a temp file and renames it over config.json: a new inode, the case a
    // bind-mounted single file misses and a stat-based reload of the folder's file catches.
    expect(second.ino).not.toBe(first.ino)

    await docker(['logout', host])
    expect((await resolver.resolve(host)).kind).toBe('anonymous')
  })
})

/** POST /images/create on the real engine with an X-Registry-Auth header; returns status and the JSON stream. */
function enginePull(
  ref: string,
  tag: string,
  xRegistryAuth: string,
): Promise<{ status: number; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        socketPath: bed.docker.socketPath,
        method: 'POST',
        path: `/v${bed.docker.apiVersion}/images/create?fromImage=${encodeURIComponent(ref)}&tag=${encodeURIComponent(tag)}`,
        headers: { 'X-Registry-Auth': xRegistryAuth },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            messages: body
              .split('\n')
              .filter((l) => l.trim())
              .map((l) => {
                try {
                  const m = JSON.parse(l)
                  return m.error ? `error: ${m.error}` : String(m.status ?? m.message ?? l)
                } catch {
                  return l
                }
              }),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('engineAuth is accepted by the real dockerd (X-Registry-Auth pull)', () => {
  it.each(['basic', 'token'] as const)(
    '%s registry: pull with alice’s resolved credentials; anonymous is refused',
    async (registry) => {
      const repository = uniqueName('wt-cred/engine')
      const pushed = await pushImage(bed, { registry, variant: 'v1', repository, tag: 't1' })
      const host = bed.registries[registry].host
      const c = await createCredentialResolver({
        env: { DOCKER_CONFIG: bed.dockerConfigDir, PATH: '/nonexistent' },
      }).resolve(host)
      expect(c.source.kind).toBe('auths')
      const ok = await enginePull(`${host}/${repository}`, 't1', c.engineAuth())
      expect(ok.status).toBe(200)
      expect(ok.messages.filter((m) => m.startsWith('error'))).toEqual([])
      expect(ok.messages.join('\n')).toContain(pushed.digest)
      const anon = await enginePull(`${host}/${repository}`, 't1', anonymousCredentials(host).engineAuth())
      // dockerd gets 401 over https, then (127.0.0.0/8 counts as insecure) retries over plain
      // http and reports that error instead: either way the pull fails without credentials.
      const failed = anon.status !== 200 || anon.messages.some((m) => m.startsWith('error'))
      expect(failed, anon.messages.join('\n')).toBe(true)
      expect(anon.messages.join('\n')).not.toContain(pushed.digest)
      await dockerCli(bed, ['rmi', pushed.ref])
    },
  )
})
