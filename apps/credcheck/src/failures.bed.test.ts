/**
 * Each failure class the README documents, produced with the real test bed: registries, token
 * server, TLS material (expired, wrong host, unknown CA, client certificate), helper programs.
 */
import { execFile } from 'node:child_process'
import { copyFile, cp, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { pushImage, uniqueName } from '@watchtower-ts/testbed'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import {
  aliceConfig as aliceConfigOf,
  baseEnv,
  basicAuth,
  check,
  dockerConfig,
  type Fixture,
  freePort,
  helperBin,
  pushFixtures,
  step,
  tempDir,
} from '../test/bed.ts'

const bed = inject('testbed')
const { alice, bob } = bed.users
const reg = bed.registries

let tokenImage: Fixture
let basicImage: Fixture
let openImage: Fixture

beforeAll(async () => {
  ;({ token: tokenImage, basic: basicImage, open: openImage } = await pushFixtures(bed))
})
const aliceConfig = () => aliceConfigOf(bed)
const execFileP = promisify(execFile)

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

  it.each([
    ['holds no certificate', () => bed.tls.notPem],
    ['does not exist', () => join(bed.dir, 'no-such-ca.pem')],
  ])('a --registry-ca file that %s (4)', async (_what, file) => {
    const r = await check(bed, [tokenImage.ref, '--registry-ca', file()], await baseEnv(bed))
    expect(r.code).toBe(4)
    expect(r.report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_CA_FILE' })
    expect(r.report.failure!.cause).toContain(file())
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
