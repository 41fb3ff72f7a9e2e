/**
 * Real TLS against the test bed's distribution registries (private CA, expired and wrong-host
 * certificates, a registry that requires client certificates) and its token server.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '@watchtower-ts/test-utils'
import { pushImage, uniqueName } from '@watchtower-ts/testbed'
import { request } from 'undici'
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { validateCaBundle } from './ca-bundle.ts'
import { createTrustStore, formatTrustDescription } from './trust-store.ts'
import type { TrustOptions, TrustStore } from './types.ts'

const bed = inject('testbed')
const stores: TrustStore[] = []
let emptyCertsD: string

beforeAll(async () => {
  emptyCertsD = await tempDir('tls-bed-empty')
})
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** A store that does not read the machine's /etc/docker/certs.d unless asked to. */
async function store(options: TrustOptions = {}): Promise<TrustStore> {
  const s = await createTrustStore({ certsDirs: [emptyCertsD], ...options })
  stores.push(s)
  return s
}

async function send(
  s: TrustStore,
  url: string,
  init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
) {
  const { dispatcher } = await s.transportFor(url)
  const res = await request(url, { dispatcher, method: init.method ?? 'GET', headers: init.headers ?? {} })
  const body = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body }
}

async function failure(s: TrustStore, url: string): Promise<unknown> {
  const error = await send(s, url).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${url} to fail`).toBeDefined()
  return error
}

describe('private CA (basic registry)', () => {
  const reg = bed.registries.basic

  it('is rejected without the CA, with an explanation naming the cause and the fix', async () => {
    const s = await store()
    const explained = s.explain(reg.host, await failure(s, `${reg.url}/v2/`))
    expect(explained).toMatchObject({ kind: 'untrusted', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    expect(explained?.message).toBe(
      `TLS to ${reg.host} failed: the server's certificate is signed by a CA this machine does not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE) — pass the CA that signed it with --registry-ca FILE (it is merged with the system roots) or put it in ${emptyCertsD}/${reg.host}/ca.crt`,
    )
  })

  it('is accepted with --registry-ca, the registry then answers its Basic challenge', async () => {
    const s = await store({ caFile: bed.tls.caCert })
    const ping = await send(s, `${reg.url}/v2/`)
    expect(ping.status).toBe(401)
    expect(String(ping.headers['www-authenticate'])).toMatch(/^Basic realm=/)
    const { username, password } = bed.users.alice
    const authed = await send(s, `${reg.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    })
    expect(authed.status).toBe(200)
  })

  it("is accepted through the machine's real /etc/docker/certs.d (the folder the bed's dockerd reads)", async () => {
    const s = await store({ certsDirs: ['/etc/docker/certs.d'] })
    expect((await send(s, `${reg.url}/v2/`)).status).toBe(401)
    const d = await s.describe(reg.host)
    expect(d.sources.find((x) => x.kind === 'certs.d')?.file).toBe(`/etc/docker/certs.d/${reg.host}/ca.crt`)
    expect(formatTrustDescription(d).join('\n')).toContain('CN=watchtower-ts testbed CA')
  })
})

describe('token registry: challenge, token and manifest requests all use the store', () => {
  it('pings, gets a token from the realm and HEADs the manifest over the private CA', async () => {
    const reg = bed.registries.token
    const repository = `alice/${uniqueName('tls')}`
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'one' })
    const s = await store({ caFile: bed.tls.caCert })

    const ping = await send(s, `${reg.url}/v2/`)
    expect(ping.status).toBe(401)
    const challenge = String(ping.headers['www-authenticate'])
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1]
    const service = /service="([^"]+)"/.exec(challenge)?.[1]
    expect(realm).toBe(bed.tokenServer.realm)

    const { username, password } = bed.users.alice
    const tokenUrl = `${realm}?service=${encodeURIComponent(service ?? '')}&scope=${encodeURIComponent(`repository:${repository}:pull`)}`
    const tokenRes = await send(s, tokenUrl, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    })
    expect(tokenRes.status).toBe(200)
    const token = (JSON.parse(tokenRes.body) as { token?: string; access_token?: string }).token

    const manifest = await send(s, `${reg.url}/v2/${repository}/manifests/one`, {
      method: 'HEAD',
      headers: {
        authorization: `Bearer ${token}`,
        accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      },
    })
    expect(manifest.status).toBe(200)
    expect(manifest.headers['docker-content-digest']).toBe(pushed.digest)

    // Without the CA the token server (a different host:port) is refused too.
    const bare = await store()
    expect(bare.explain(tokenUrl, await failure(bare, tokenUrl))?.kind).toBe('untrusted')
  })
})

describe('bad server certificates are refused even with the right CA', () => {
  it('an expired server certificate', async () => {
    const reg = bed.registries.expired
    const s = await store({ caFile: bed.tls.caCert })
    const explained = s.explain(reg.host, await failure(s, `${reg.url}/v2/`))
    expect(explained).toMatchObject({ kind: 'expired', code: 'CERT_HAS_EXPIRED' })
    expect(explained?.message).toContain("the server's certificate (or a CA in its chain) has expired")
  })

  it('a certificate for another host', async () => {
    const reg = bed.registries.wronghost
    const s = await store({ caFile: bed.tls.caCert })
    const explained = s.explain(reg.host, await failure(s, `${reg.url}/v2/`))
    expect(explained).toMatchObject({ kind: 'wrong-host', code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
    expect(explained?.reason).toBe(
      `the server's certificate is not valid for ${reg.host} (it is for DNS:wrong.example.invalid)`,
    )
  })

  it('--insecure-registry is the only way past them, and only for the listed host', async () => {
    const s = await store({ insecureRegistries: [bed.registries.expired.host] })
    const t = await s.transportFor(bed.registries.expired.host)
    expect(t.verify).toBe(false)
    expect((await send(s, `${bed.registries.expired.url}/v2/`)).status).toBe(200)
    expect(
      s.explain(bed.registries.wronghost.host, await failure(s, `${bed.registries.wronghost.url}/v2/`))?.kind,
    ).toBe('untrusted')
  })
})

describe('client certificates from certs.d (mtls registry)', () => {
  const reg = bed.registries.mtls

  it('sends client.cert + client.key from <certsDir>/<host:port>/ and is let in', async () => {
    const certsD = await tempDir('tls-bed-certs-d')
    const dir = join(certsD, reg.host)
    await mkdir(dir)
    await copyFile(bed.tls.caCert, join(dir, 'ca.crt'))
    await copyFile(bed.tls.clientCert, join(dir, 'client.cert'))
    await copyFile(bed.tls.clientKey, join(dir, 'client.key'))
    const s = await store({ certsDirs: [certsD] })
    expect((await send(s, `${reg.url}/v2/`)).status).toBe(200)
    const d = await s.describe(reg.host)
    expect(d.sources.map((x) => x.kind)).toEqual(['system', 'certs.d', 'client-certificate', 'http'])
    expect(JSON.stringify(d)).not.toContain('PRIVATE KEY')
  })

  it('without a client certificate: explained as such', async () => {
    const s = await store({ caFile: bed.tls.caCert })
    const explained = s.explain(reg.host, await failure(s, `${reg.url}/v2/`))
    expect(explained?.kind).toBe('client-certificate')
    expect(explained?.message).toContain('it most likely requires a client certificate and none was sent')
    expect(explained?.message).toContain(`${emptyCertsD}/${reg.host}/ as client.cert + client.key`)
  })

  it('a lone client.key in certs.d is an error naming the folder', async () => {
    const certsD = await tempDir('tls-bed-certs-d')
    const dir = join(certsD, reg.host)
    await mkdir(dir)
    await copyFile(bed.tls.clientKey, join(dir, 'client.key'))
    const s = await store({ caFile: bed.tls.caCert, certsDirs: [certsD] })
    await expect(s.transportFor(reg.host)).rejects.toMatchObject({
      code: 'WT_TLS_CERTS_D_LONE_KEY',
      message: `certs.d folder ${dir} holds the client key client.key but not its certificate client.cert`,
    })
  })
})

describe('plain HTTP (open registry)', () => {
  const reg = bed.registries.open

  it('HTTPS to it is explained as "does not speak TLS"; HTTP is allowed because it is loopback', async () => {
    const s = await store()
    const https = `https://${reg.host}/v2/`
    const explained = s.explain(reg.host, await failure(s, https))
    expect(explained).toMatchObject({ kind: 'not-tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER' })
    const t = await s.transportFor(reg.host)
    expect([t.allowHttp, t.verify]).toEqual([true, true])
    expect((await send(s, `${reg.url}/v2/`)).status).toBe(200)
  })
})

describe('--registry-ca-validate with the bed files', () => {
  it('accepts the private CA', async () => {
    const got = await validateCaBundle(bed.tls.caCert)
    expect(got.certificates[0]?.subject).toBe('CN=watchtower-ts testbed CA')
    expect(got.warnings).toEqual([])
  })

  it('a file with no certificate', async () => {
    await expect(validateCaBundle(bed.tls.notPem)).rejects.toMatchObject({
      code: 'WT_TLS_CA_NO_CERTIFICATE',
      message: expect.stringContaining(`CA bundle ${bed.tls.notPem} holds no PEM certificate`),
    })
  })

  it('a file with only an expired CA', async () => {
    await expect(validateCaBundle(bed.tls.expiredCaCert)).rejects.toMatchObject({
      code: 'WT_TLS_CA_EXPIRED',
      message: `CA bundle ${bed.tls.expiredCaCert} holds no certificate valid now: #1 (CN=watchtower-ts expired CA) expired on 2020-01-01T00:00:00.000Z`,
    })
  })

  it('a garbage certificate', async () => {
    const file = join(await tempDir('tls-bed'), 'garbage.pem')
    await writeFile(file, '-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n')
    await expect(validateCaBundle(file)).rejects.toMatchObject({
      code: 'WT_TLS_CA_INVALID_CERTIFICATE',
      message: expect.stringContaining(`certificate #1 in CA bundle ${file} does not parse`),
    })
  })

  it('a missing file', async () => {
    const file = join(bed.dir, 'tls', `${uniqueName('missing')}.pem`)
    await expect(validateCaBundle(file)).rejects.toMatchObject({
      code: 'WT_TLS_CA_UNREADABLE',
      message: `cannot read CA bundle ${file}: it does not exist (ENOENT)`,
    })
  })
})
