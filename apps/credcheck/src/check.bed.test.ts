/**
 * credcheck against the real test bed: real distribution registries (open/HTTP, basic/htpasswd,
 * token + the bed's token server, expired and wrong-host certificates), real TLS material, the
 * real engine, real helper programs. Each failure class the README documents is produced here.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, cp, mkdir, readdir, writeFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dockerCli, pushImage, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { baseEnv, basicAuth, check, dockerConfig, helperBin, step, tempDir } from './_bed-utils.ts'

const bed = inject('testbed')
const { alice, bob } = bed.users
const reg = bed.registries

const aliceConfig = () =>
  dockerConfig({
    auths: {
      [reg.token.host]: { auth: basicAuth(alice.username, alice.password) },
      [reg.basic.host]: { auth: basicAuth(alice.username, alice.password) },
    },
  })

const execFileP = promisify(execFile)
const MEDIA_DOCKER = 'application/vnd.docker.distribution.manifest.v2+json'

/** A refresh token from the bed's token server (OAuth2 password grant with access_type=offline). */
function passwordGrant(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: alice.username,
    password: alice.password,
    service: bed.tokenServer.service,
    client_id: 'credcheck-test',
    access_type: 'offline',
    scope: `repository:${tokenImage.repository}:pull`,
  }).toString()
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      bed.tokenServer.realm,
      {
        method: 'POST',
        ca: readFileSync(bed.tls.caCert),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => {
          const token = (JSON.parse(body) as { refresh_token?: string }).refresh_token
          if (res.statusCode === 200 && token) resolve(token)
          else reject(new Error(`password grant: ${res.statusCode}`))
        })
      },
    )
    req.on('error', reject)
    req.end(form)
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

let tokenImage: { ref: string; digest: string; repository: string }
let basicImage: { ref: string; digest: string; repository: string }
let openImage: { ref: string; digest: string; repository: string }

beforeAll(async () => {
  const t = uniqueName('alice/cc-token')
  const b = uniqueName('alice/cc-basic')
  const o = uniqueName('cc-open')
  const [pt, pb, po] = await Promise.all([
    pushImage(bed, { registry: 'token', variant: 'v1', repository: t, tag: 'v1' }),
    pushImage(bed, { registry: 'basic', variant: 'v1', repository: b, tag: 'v1' }),
    pushImage(bed, { registry: 'open', variant: 'v2', repository: o, tag: 'v2' }),
  ])
  tokenImage = { ...pt, repository: t }
  basicImage = { ...pb, repository: b }
  openImage = { ...po, repository: o }
})

describe('when everything is right', () => {
  it('token registry, credentials from config.json auths: every step ok, up to date', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig() })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code, r.text).toBe(0)
    expect(r.report.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'skipped', 'ok'])
    expect(step(r.report, 'reference').details).toMatchObject({
      registry: reg.token.host,
      repository: tokenImage.repository,
      tag: 'v1',
    })
    expect(step(r.report, 'credentials').details).toMatchObject({
      kind: 'basic',
      username: alice.username,
      source: { kind: 'auths', key: reg.token.host },
    })
    const tls = step(r.report, 'tls').details as {
      scheme: string
      certificate: { subject: string; issuer: string; validTo: string }
      trustSources: { kind: string }[]
    }
    expect(tls.scheme).toBe('https')
    expect(tls.certificate.issuer).toMatch(/CN=/)
    expect(Date.parse(tls.certificate.validTo)).toBeGreaterThan(Date.now())
    expect(tls.trustSources.map((s) => s.kind)).toContain('ca-file')
    expect(step(r.report, 'ping').details).toMatchObject({
      status: 401,
      challenges: [{ scheme: 'bearer', realm: bed.tokenServer.realm, service: bed.tokenServer.service }],
    })
    expect(step(r.report, 'token').details).toMatchObject({
      realm: bed.tokenServer.realm,
      scopes: [`repository:${tokenImage.repository}:pull`],
      status: 200,
      account: alice.username,
      granted: [
        { type: 'repository', name: tokenImage.repository, actions: expect.arrayContaining(['pull']) },
      ],
    })
    expect(typeof step(r.report, 'token').details['expiresIn']).toBe('number')
    expect(step(r.report, 'manifest').details).toMatchObject({
      status: 200,
      digest: tokenImage.digest,
      crossCheck: { agrees: true, digest: tokenImage.digest },
    })
    expect(step(r.report, 'local-image').details).toMatchObject({
      status: 'up-to-date',
      remoteDigest: tokenImage.digest,
    })
    expect(r.text).toMatch(/up to date/)
    const log = (await tokenLog(bed)).filter((x) => x.scopes.some((s) => s.includes(tokenImage.repository)))
    expect(log.some((x) => x.account === alice.username && x.status === 200)).toBe(true)
  })

  it('basic registry, REPO_USER/REPO_PASS, certs.d trust: no token step, update available', async () => {
    const certsd = await tempDir('certsd')
    await mkdir(join(certsd, reg.basic.host), { recursive: true })
    await copyFile(bed.tls.caCert, join(certsd, reg.basic.host, 'ca.crt'))
    // the registry's tag moves to v2 while the local tag stays on v1
    const repository = uniqueName('alice/cc-moved')
    const first = await pushImage(bed, { registry: 'basic', variant: 'v1', repository, tag: 'x' })
    await pushImage(bed, { registry: 'basic', variant: 'v2', repository, tag: 'x' })
    await dockerCli(bed, ['tag', bed.images.v1, first.ref], { reject: true })
    const env = await baseEnv(bed, { REPO_USER: alice.username, REPO_PASS: alice.password })
    const r = await check(bed, [first.ref], env, { certsDirs: [certsd] })
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'credentials').details).toMatchObject({
      kind: 'basic',
      username: alice.username,
      source: { kind: 'env' },
    })
    expect(
      (step(r.report, 'tls').details['trustSources'] as { kind: string }[]).map((s) => s.kind),
    ).toContain('certs.d')
    expect(step(r.report, 'ping').details).toMatchObject({ challenges: [{ scheme: 'basic' }] })
    expect(step(r.report, 'token').status).toBe('skipped')
    expect(step(r.report, 'local-image').details).toMatchObject({
      status: 'update-available',
      localDigests: [first.digest],
    })
    expect(r.text).toMatch(/update available/)
  })

  it('open registry over plain HTTP on loopback: no TLS, no auth, anonymous', async () => {
    const env = await baseEnv(bed)
    const r = await check(bed, [openImage.ref], env)
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'credentials').details).toMatchObject({ kind: 'anonymous' })
    expect(step(r.report, 'tls').details).toMatchObject({ scheme: 'http', httpReason: 'loopback' })
    expect(step(r.report, 'ping').details).toMatchObject({ status: 200 })
    expect(step(r.report, 'token').status).toBe('skipped')
    expect(step(r.report, 'manifest').details).toMatchObject({ digest: openImage.digest })
  })

  it('anonymous pull of public/* on the token registry gets an anonymous token', async () => {
    const repository = uniqueName('public/cc')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'p' })
    const r = await check(bed, [pushed.ref, '--registry-ca', bed.tls.caCert], await baseEnv(bed))
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'token').details).toMatchObject({ account: null, status: 200 })
  })
})

describe('more of the chain', () => {
  it("an index: the platforms it lists (attestations left out), and watchtower's client agrees", async () => {
    const repository = uniqueName('cc-index')
    const a = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'a' })
    const b = await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: 'b' })
    const base = `${reg.open.url}/v2/${repository}/manifests`
    const size = async (tag: string) => {
      const res = await fetch(`${base}/${tag}`, { method: 'HEAD', headers: { accept: MEDIA_DOCKER } })
      return Number(res.headers.get('content-length'))
    }
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: MEDIA_DOCKER,
          digest: a.digest,
          size: await size('a'),
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: MEDIA_DOCKER,
          digest: b.digest,
          size: await size('b'),
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
        {
          mediaType: MEDIA_DOCKER,
          digest: b.digest,
          size: await size('b'),
          platform: { os: 'unknown', architecture: 'unknown' },
        },
      ],
    }
    const put = await fetch(`${base}/multi`, {
      method: 'PUT',
      headers: { 'content-type': index.mediaType },
      body: JSON.stringify(index),
    })
    expect(put.status, await put.text()).toBe(201)
    const indexDigest = put.headers.get('docker-content-digest')
    const r = await check(bed, [`${reg.open.host}/${repository}:multi`], await baseEnv(bed))
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'manifest').details).toMatchObject({
      digest: indexDigest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
      crossCheck: { agrees: true, digest: indexDigest, error: null },
    })
    expect(r.text).toMatch(/platforms linux\/amd64 linux\/arm64\/v8/)
    expect(step(r.report, 'local-image').details).toMatchObject({ status: 'no-local-image' })
  })

  it('an identity token in config.json: refresh_token grant (POST), and a revoked one is refused (6)', async () => {
    const refreshToken = await passwordGrant()
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({ auths: { [reg.token.host]: { identitytoken: refreshToken } } }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env, {
      extraSecrets: [refreshToken],
    })
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'credentials').details).toMatchObject({ kind: 'identity-token' })
    expect(step(r.report, 'token').details).toMatchObject({ method: 'POST', status: 200 })
    const bad = 'not-a-refresh-token-1234'
    const badEnv = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({ auths: { [reg.token.host]: { identitytoken: bad } } }),
    })
    const refused = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], badEnv, {
      extraSecrets: [bad],
    })
    expect(refused.code).toBe(6)
    expect(refused.report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TOKEN_DENIED' })
  })

  it('the engine is not answering: step 8 is skipped, the run still passes', async () => {
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await aliceConfig(),
      DOCKER_HOST: `unix://${await tempDir('nodocker')}/docker.sock`,
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'local-image')).toMatchObject({
      status: 'skipped',
      details: { status: 'no-engine' },
    })
  })
})

describe('each failure names its cause, a fix and its exit code', () => {
  it('wrong password on the token registry: refused by the token server (6)', async () => {
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({
        auths: { [reg.token.host]: { auth: basicAuth(alice.username, 'not-the-password') } },
      }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env, {
      extraSecrets: ['not-the-password'],
    })
    expect(r.code).toBe(6)
    expect(r.report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TOKEN_DENIED' })
    expect(r.report.failure!.cause).toMatch(/token server .* refused the credentials of user alice \(401\)/)
    expect(r.text).toMatch(/fix: fix the password/)
  })

  it('wrong password on the basic registry: refused by the registry (6)', async () => {
    const env = await baseEnv(bed, { REPO_USER: alice.username, REPO_PASS: 'wrong-basic-pass' })
    const r = await check(bed, [basicImage.ref, '--registry-ca', bed.tls.caCert], env, {
      extraSecrets: ['wrong-basic-pass'],
    })
    expect(r.code).toBe(6)
    expect(r.report.failure).toMatchObject({ step: 'manifest', code: 'WT_CREDCHECK_CREDENTIALS_REFUSED' })
    expect(r.report.failure!.fix).toMatch(/REPO_USER\/REPO_PASS/)
  })

  it.each(['token', 'basic'] as const)(
    'no credentials for a private repository on the %s registry (7)',
    async (name) => {
      const ref = name === 'token' ? tokenImage.ref : basicImage.ref
      const r = await check(bed, [ref, '--registry-ca', bed.tls.caCert], await baseEnv(bed))
      expect(r.code).toBe(7)
      expect(r.report.failure).toMatchObject({ code: 'WT_CREDCHECK_NO_CREDENTIALS' })
      expect(r.report.failure!.fix).toMatch(/docker login/)
    },
  )

  it('credentials that may not pull this repository (bob on alice/*): access denied (7)', async () => {
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({
        auths: { [reg.token.host]: { auth: basicAuth(bob.username, bob.password) } },
      }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(7)
    expect(r.report.failure).toMatchObject({ step: 'manifest', code: 'WT_CREDCHECK_ACCESS_DENIED' })
    expect(step(r.report, 'token').status).toBe('warning')
  })

  it('a credential helper named in config.json that is not installed (3)', async () => {
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({ credHelpers: { [reg.token.host]: 'wt-not-installed' } }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(3)
    expect(r.report.failure).toMatchObject({ step: 'credentials', code: 'WT_CREDCHECK_HELPER_MISSING' })
    expect(r.report.failure!.cause).toMatch(/docker-credential-wt-not-installed/)
  })

  it('a credential helper that fails (3)', async () => {
    const bin = await helperBin('wtfail', 'echo "keychain is locked"; exit 1')
    const env = await baseEnv(bed, {
      PATH: `${bin}:${process.env['PATH']}`,
      DOCKER_CONFIG: await dockerConfig({ credsStore: 'wtfail' }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(3)
    expect(r.report.failure).toMatchObject({ step: 'credentials', code: 'WT_CREDCHECK_HELPER_FAILED' })
    expect(r.report.failure!.cause).toMatch(/keychain is locked/)
  })

  it('a helper that answers is named as the source, never its secret', async () => {
    const secret = 'helper-secret-9f8e7d'
    const bin = await helperBin(
      'wtok',
      `cat >/dev/null; echo '{"ServerURL":"x","Username":"${alice.username}","Secret":"${secret}"}'`,
    )
    const env = await baseEnv(bed, {
      PATH: `${bin}:${process.env['PATH']}`,
      DOCKER_CONFIG: await dockerConfig({ credHelpers: { [reg.token.host]: 'wtok' } }),
    })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env, {
      extraSecrets: [secret, basicAuth(alice.username, secret)],
    })
    expect(step(r.report, 'credentials').details).toMatchObject({
      source: { kind: 'cred-helper', helper: 'docker-credential-wtok' },
    })
    expect(r.code).toBe(6) // the helper's password is not alice's
  })

  it('the real docker-credential-pass: answers (source named, secret never shown), then fails on a broken store (3)', async () => {
    const store = join(await tempDir('pass'), 'store')
    const env = { ...process.env, GNUPGHOME: bed.pass.gnupgHome, PASSWORD_STORE_DIR: store }
    await execFileP('pass', ['init', bed.pass.fingerprint], { env })
    const stored = JSON.stringify({
      ServerURL: reg.token.host,
      Username: alice.username,
      Secret: alice.password,
    })
    await new Promise<void>((resolve, reject) => {
      const child = execFile('docker-credential-pass', ['store'], { env }, (e) => (e ? reject(e) : resolve()))
      child.stdin!.end(stored)
    })
    const config = await dockerConfig({ credHelpers: { [reg.token.host]: 'pass' } })
    const passEnv = { DOCKER_CONFIG: config, GNUPGHOME: bed.pass.gnupgHome, PASSWORD_STORE_DIR: store }
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], await baseEnv(bed, passEnv))
    expect(r.code, r.text).toBe(0)
    expect(step(r.report, 'credentials').details).toMatchObject({
      kind: 'basic',
      username: alice.username,
      source: { kind: 'cred-helper', helper: 'docker-credential-pass' },
    })
    // the same store with its entry corrupted: gpg cannot decrypt it, the helper exits non-zero
    const broken = join(await tempDir('pass'), 'store')
    await cp(store, broken, { recursive: true })
    const entry = (await readdir(broken, { recursive: true })).find(
      (f) => f.endsWith('.gpg') && !f.endsWith('.gpg-id'),
    )
    await writeFile(join(broken, entry!), 'garbage')
    const failed = await check(
      bed,
      [tokenImage.ref, '--registry-ca', bed.tls.caCert],
      await baseEnv(bed, { ...passEnv, PASSWORD_STORE_DIR: broken }),
    )
    expect(failed.code).toBe(3)
    expect(failed.report.failure).toMatchObject({ step: 'credentials', code: 'WT_CREDCHECK_HELPER_FAILED' })
    expect(failed.report.failure!.cause).toMatch(/docker-credential-pass/)
  })

  it('malformed config.json (3)', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await dockerConfig('{"auths": {"x": ') })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(3)
    expect(r.report.failure).toMatchObject({ step: 'credentials', code: 'WT_CREDCHECK_CONFIG_INVALID' })
    expect(r.report.failure!.cause).toMatch(/config\.json/)
  })

  it('an unknown CA: hints --registry-ca (4)', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig() })
    const r = await check(bed, [tokenImage.ref], env)
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_TLS_UNKNOWN_CA' })
    expect(r.report.failure!.fix).toMatch(/--registry-ca/)
    expect(r.report.failure!.cause).toMatch(/issued by CN=/)
  })

  it('an expired CA file given to --registry-ca (4)', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig() })
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.expiredCaCert], env)
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_CA_FILE' })
    expect(r.report.failure!.cause).toMatch(/expired/)
  })

  it('a --registry-ca file that holds no certificate (4)', async () => {
    const r = await check(bed, [tokenImage.ref, '--registry-ca', bed.tls.notPem], await baseEnv(bed))
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_CA_FILE' })
  })

  it('a registry whose certificate expired (4)', async () => {
    const r = await check(
      bed,
      [`${reg.expired.host}/${openImage.repository}:v2`, '--registry-ca', bed.tls.caCert],
      await baseEnv(bed),
    )
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_TLS_EXPIRED' })
    expect(r.report.failure!.cause).toMatch(/expired on 20/)
  })

  it('a certificate for another host (4), and --insecure-registry to get past it', async () => {
    const ref = `${reg.wronghost.host}/${openImage.repository}:v2`
    const r = await check(bed, [ref, '--registry-ca', bed.tls.caCert], await baseEnv(bed))
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_TLS_WRONG_HOST' })
    expect(r.report.failure!.cause).toMatch(/wrong\.example\.invalid/)
    const insecure = await check(bed, [ref, '--insecure-registry', reg.wronghost.host], await baseEnv(bed))
    expect(insecure.code, insecure.text).toBe(0)
    expect(step(insecure.report, 'tls').details).toMatchObject({ verify: false })
  })

  it('a registry that wants a client certificate (4), and certs.d client.cert/key to satisfy it', async () => {
    const repository = uniqueName('alice/cc-mtls')
    const pushed = await pushImage(bed, { registry: 'mtls', variant: 'v1', repository, tag: 'm' })
    const r = await check(bed, [pushed.ref, '--registry-ca', bed.tls.caCert], await baseEnv(bed))
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_TLS_CLIENT_CERTIFICATE' })
    expect(r.report.failure!.fix).toMatch(/client\.cert \+ client\.key/)
    const certsd = await tempDir('certsd')
    await mkdir(join(certsd, reg.mtls.host), { recursive: true })
    await copyFile(bed.tls.caCert, join(certsd, reg.mtls.host, 'ca.crt'))
    await copyFile(bed.tls.clientCert, join(certsd, reg.mtls.host, 'client.cert'))
    await copyFile(bed.tls.clientKey, join(certsd, reg.mtls.host, 'client.key'))
    const ok = await check(bed, [pushed.ref], await baseEnv(bed), { certsDirs: [certsd] })
    expect(ok.code, ok.text).toBe(0)
    expect((step(ok.report, 'tls').details['trustSources'] as { kind: string }[]).map((s) => s.kind)).toEqual(
      expect.arrayContaining(['certs.d', 'client-certificate']),
    )
    expect(step(ok.report, 'manifest').details).toMatchObject({ digest: pushed.digest })
  })

  it('a registry that is not listening (5)', async () => {
    const port = await freePort()
    const r = await check(bed, [`127.0.0.1:${port}/x/y:z`], await baseEnv(bed))
    expect(r.code).toBe(5)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_UNREACHABLE' })
    expect(r.report.failure!.cause).toMatch(/ECONNREFUSED/)
  })

  it('repository not found (8)', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig() })
    const r = await check(
      bed,
      [`${reg.token.host}/${uniqueName('alice/nope')}:v1`, '--registry-ca', bed.tls.caCert],
      env,
    )
    expect(r.code).toBe(8)
    expect(r.report.failure).toMatchObject({ step: 'manifest', code: 'WT_CREDCHECK_REPOSITORY_NOT_FOUND' })
  })

  it('tag not found (8), naming the tags that exist', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig() })
    const r = await check(
      bed,
      [`${reg.token.host}/${tokenImage.repository}:nope`, '--registry-ca', bed.tls.caCert],
      env,
    )
    expect(r.code).toBe(8)
    expect(r.report.failure).toMatchObject({ step: 'manifest', code: 'WT_CREDCHECK_TAG_NOT_FOUND' })
    expect(r.report.failure!.cause).toMatch(/tags: v1/)
  })

  it('an invalid image reference (2)', async () => {
    const r = await check(bed, ['127.0.0.1:5000/UPPER/Case::x'], await baseEnv(bed))
    expect(r.code).toBe(2)
    expect(r.report.failure).toMatchObject({ step: 'reference', code: 'WT_CREDCHECK_INVALID_REFERENCE' })
  })
})

describe('token server not listening', () => {
  let registry: ChildProcess | undefined
  let host = ''

  beforeAll(async () => {
    const dir = await tempDir('deadrealm')
    const [port, dead] = [await freePort(), await freePort()]
    host = `127.0.0.1:${port}`
    const config = join(dir, 'config.yml')
    await writeFile(
      config,
      [
        'version: 0.1',
        'log: { level: error }',
        `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} } }`,
        `http: { addr: "${host}", tls: { certificate: ${JSON.stringify(bed.tls.serverCert)}, key: ${JSON.stringify(bed.tls.serverKey)} } }`,
        'auth:',
        '  token:',
        `    realm: "https://127.0.0.1:${dead}/token"`,
        '    service: credcheck-dead-realm',
        '    issuer: credcheck-test',
        `    rootcertbundle: ${JSON.stringify(bed.tls.caCert)}`,
        '',
      ].join('\n'),
    )
    registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' })
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy()
          resolve(true)
        })
        s.on('error', () => resolve(false))
      })
      if (up) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`docker-registry did not start on ${host}`)
  })

  afterAll(() => {
    if (registry?.pid) registry.kill('SIGTERM')
  })

  it('a real registry whose auth.token realm points at a dead port (5)', async () => {
    const env = await baseEnv(bed, { REPO_USER: alice.username, REPO_PASS: alice.password })
    const r = await check(bed, [`${host}/alice/app:v1`, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(5)
    expect(step(r.report, 'ping').details).toMatchObject({
      challenges: [{ scheme: 'bearer', service: 'credcheck-dead-realm' }],
    })
    expect(r.report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TOKEN_SERVER_UNREACHABLE' })
    expect(r.report.failure!.cause).toMatch(/token server 127\.0\.0\.1:\d+.*ECONNREFUSED/)
  })
})
