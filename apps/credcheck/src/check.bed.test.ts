/**
 * credcheck against the real test bed when the chain holds: token registry + token server,
 * htpasswd registry, plain-HTTP registry, certs.d, an index, identity tokens, the engine.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dockerCli, pushImage, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import {
  aliceConfig as aliceConfigOf,
  baseEnv,
  check,
  dockerConfig,
  type Fixture,
  pushFixtures,
  refreshTokenFor,
  step,
  tempDir,
} from '../test/bed.ts'

const bed = inject('testbed')
const { alice } = bed.users
const reg = bed.registries

let tokenImage: Fixture
let openImage: Fixture

beforeAll(async () => {
  ;({ token: tokenImage, open: openImage } = await pushFixtures(bed))
})
const aliceConfig = () => aliceConfigOf(bed)

const _execFileP = promisify(execFile)
const MEDIA_DOCKER = 'application/vnd.docker.distribution.manifest.v2+json'

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
  it('an index: the platforms it lists (attestations left out)', async () => {
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
    })
    expect(r.text).toMatch(/platforms linux\/amd64 linux\/arm64\/v8/)
    expect(step(r.report, 'local-image').details).toMatchObject({ status: 'no-local-image' })
  })

  it('an identity token in config.json: refresh_token grant (POST), and a revoked one is refused (6)', async () => {
    const refreshToken = await refreshTokenFor(bed, tokenImage.repository)
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
