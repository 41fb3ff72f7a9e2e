import { execFile } from 'node:child_process'
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { connect, rootCertificates } from 'node:tls'
import { inspect, promisify } from 'node:util'
import { makePki, type Pki, tempDir } from '@watchtower-ts/test-utils'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dedupeKey } from './_pem.ts'
import { explainTlsError } from './explain.ts'
import { loadSystemRoots } from './system-roots.ts'
import { createTrustStore, formatTrustDescription, secureContextTrusting } from './trust-store.ts'
import type { TrustOptions, TrustStore } from './types.ts'

// A local https server with certificates made by openssl at test time. The same cases run against
// the test bed's real distribution registries in testbed.test.ts.
let pki: Pki
let server: Server
let mtlsServer: Server
let host: string
let mtlsHost: string
let emptyCertsD: string
const stores: TrustStore[] = []

async function listen(options: Parameters<typeof createServer>[0]): Promise<[Server, string]> {
  const s = createServer(options, (_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return [s, `127.0.0.1:${(s.address() as AddressInfo).port}`]
}

beforeAll(async () => {
  pki = await makePki()
  const tls = { cert: await readFile(pki.serverCert), key: await readFile(pki.serverKey) }
  ;[server, host] = await listen(tls)
  ;[mtlsServer, mtlsHost] = await listen({
    ...tls,
    ca: await readFile(pki.caCert),
    requestCert: true,
    rejectUnauthorized: true,
  })
  emptyCertsD = await tempDir('empty-certs-d')
})
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  server.closeAllConnections()
  mtlsServer.closeAllConnections()
  await Promise.all([server, mtlsServer].map((s) => new Promise((r) => s.close(r))))
})

async function store(options: TrustOptions = {}): Promise<TrustStore> {
  const s = await createTrustStore({ certsDirs: [emptyCertsD], ...options })
  stores.push(s)
  return s
}

async function get(s: TrustStore, target: string): Promise<string> {
  const { dispatcher } = await s.transportFor(target)
  const res = await request(`https://${target}/`, { dispatcher })
  return res.body.text()
}

describe('createTrustStore against a local https server', () => {
  it('rejects a private CA it was not given, with an explanation naming the cause', async () => {
    const error = await get(await store(), host).catch((e: unknown) => e)
    const explained = explainTlsError(error, { host })
    expect(explained?.kind).toBe('untrusted')
    expect(explained?.message).toContain(
      "the server's certificate is signed by a CA this machine does not trust",
    )
    expect(explained?.message).toContain('--registry-ca')
  })

  it('trusts the private CA given with caFile, merged with the system roots', async () => {
    const s = await store({ caFile: pki.caCert })
    expect(await get(s, host)).toBe('ok')
    const d = await s.describe(host)
    expect(d.sources.map((x) => x.kind)).toEqual(['system', 'ca-file', 'http'])
    expect(d.sources[1]).toMatchObject({ file: pki.caCert, subjects: ['CN=wt-tls test CA'] })
  })

  it('trusts a CA from <certsDir>/<host:port>/ca.crt for that host only', async () => {
    const certsD = await tempDir('certs-d')
    await mkdir(join(certsD, host))
    await copyFile(pki.caCert, join(certsD, host, 'ca.crt'))
    const s = await store({ certsDirs: [emptyCertsD, certsD] })
    expect(await get(s, host)).toBe('ok')
    const other = `localhost:${host.split(':')[1]}`
    expect(explainTlsError(await get(s, other).catch((e: unknown) => e))?.kind).toBe('untrusted')
    expect((await s.describe(host)).sources[1]).toMatchObject({
      kind: 'certs.d',
      file: join(certsD, host, 'ca.crt'),
    })
  })

  it('sends the client certificate from certs.d to a server that requires one', async () => {
    const certsD = await tempDir('certs-d')
    await mkdir(join(certsD, mtlsHost))
    await copyFile(pki.clientCert, join(certsD, mtlsHost, 'client.cert'))
    await copyFile(pki.clientKey, join(certsD, mtlsHost, 'client.key'))
    const withClient = await store({ caFile: pki.caCert, certsDirs: [certsD] })
    expect(await get(withClient, mtlsHost)).toBe('ok')
    const d = await withClient.describe(mtlsHost)
    expect(d.sources.find((x) => x.kind === 'client-certificate')?.subjects).toEqual([
      'CN=wt-tls test client',
    ])
    const shown = [
      inspect(await withClient.transportFor(mtlsHost), { depth: 6 }),
      JSON.stringify(d),
      inspect(d, { depth: 6 }),
    ]
    expect(shown.join('\n')).not.toContain('PRIVATE KEY')

    const without = await store({ caFile: pki.caCert })
    const error = await get(without, mtlsHost).catch((e: unknown) => e)
    const explained = without.explain(mtlsHost, error)
    expect(explained?.kind).toBe('client-certificate')
    expect(explained?.reason).toContain('requires a client certificate and none was sent')
    expect(explained?.hint).toContain(`${emptyCertsD}/${mtlsHost}/ as client.cert + client.key`)
  })

  it('a lone key in certs.d fails transportFor and describe naming the folder; a fix is picked up', async () => {
    const certsD = await tempDir('certs-d')
    const dir = join(certsD, host)
    await mkdir(dir)
    await copyFile(pki.clientKey, join(dir, 'client.key'))
    const s = await store({ caFile: pki.caCert, certsDirs: [certsD] })
    await expect(s.transportFor(host)).rejects.toMatchObject({ code: 'WT_TLS_CERTS_D_LONE_KEY', file: dir })
    await expect(s.describe(host)).rejects.toMatchObject({ message: expect.stringContaining(dir) })
    await rm(join(dir, 'client.key'))
    expect(await get(s, host)).toBe('ok')
  })

  it('a client certificate with the wrong key is an error naming both files', async () => {
    const certsD = await tempDir('certs-d')
    const dir = join(certsD, mtlsHost)
    await mkdir(dir)
    await copyFile(pki.clientCert, join(dir, 'client.cert'))
    await copyFile(pki.serverKey, join(dir, 'client.key'))
    const s = await store({ caFile: pki.caCert, certsDirs: [certsD] })
    await expect(s.transportFor(mtlsHost)).rejects.toMatchObject({
      code: 'WT_TLS_CLIENT_CERT_INVALID',
      message: expect.stringContaining(
        `the client certificate ${dir}/client.cert and key ${dir}/client.key cannot be used`,
      ),
    })
  })

  it('describe() warns for an expired CA and for a second client certificate that is ignored', async () => {
    const certsD = await tempDir('certs-d')
    const dir = join(certsD, 'two-clients.example')
    await mkdir(dir)
    for (const base of ['a', 'b']) {
      await copyFile(pki.clientCert, join(dir, `${base}.cert`))
      await copyFile(pki.clientKey, join(dir, `${base}.key`))
    }
    const s = await store({ caFile: pki.expiredCaCert, certsDirs: [certsD] })
    const d = await s.describe('two-clients.example')
    expect(d.warnings).toEqual([
      `client certificate ${dir}/b.cert is ignored: only the first one (${dir}/a.cert) is sent`,
      `certificate #1 (CN=wt-tls expired CA) in ${pki.expiredCaCert} has expired (2020-01-01T00:00:00.000Z)`,
    ])
    expect(d.sources.find((x) => x.kind === 'ca-file')?.description).toContain(
      'EXPIRED 2020-01-01T00:00:00.000Z',
    )
    expect(d.sources.find((x) => x.kind === 'client-certificate')?.file).toBe(`${dir}/a.cert`)
  })

  it('verification is off only for listed insecure registries', async () => {
    const s = await store({ insecureRegistries: [host] })
    const t = await s.transportFor(host)
    expect([t.verify, t.allowHttp]).toEqual([false, true])
    expect(await get(s, host)).toBe('ok')
    const d = await s.describe(host)
    expect(d.sources.map((x) => x.kind)).toEqual(['system', 'insecure', 'http'])
    expect(formatTrustDescription(d)[0]).toBe(
      `TLS trust for ${host}: verification OFF, plain HTTP allowed (insecure-registry)`,
    )
  })

  it('plain HTTP is allowed for loopback and listed hosts only; verification stays on', async () => {
    const s = await store({ insecureRegistries: ['http-ok.example:5000'] })
    const cases = await Promise.all(
      [
        host,
        'localhost:5000',
        '[::1]:5000',
        'registry.example.com',
        'http-ok.example:5000',
        'http-ok.example:5001',
      ].map(async (h) => {
        const t = await s.transportFor(h)
        return [h, t.allowHttp, t.verify]
      }),
    )
    expect(cases).toEqual([
      [host, true, true],
      ['localhost:5000', true, true],
      ['[::1]:5000', true, true],
      ['registry.example.com', false, true],
      ['http-ok.example:5000', true, false],
      ['http-ok.example:5001', false, true],
    ])
    expect((await s.describe('registry.example.com')).sources.map((x) => x.kind)).toEqual(['system'])
  })

  it('allows plain HTTP for a localhost name only when it resolves to loopback alone', async () => {
    const s = await store({
      lookup: async (name) =>
        name === 'evil.localhost' ? [{ address: '203.0.113.7' }] : [{ address: '127.0.0.1' }],
    })
    expect((await s.transportFor('evil.localhost:5000')).allowHttp).toBe(false)
    expect((await s.transportFor('good.localhost:5000')).allowHttp).toBe(true)
  })

  it('hands out one Agent per host, whatever the spelling', async () => {
    const s = await store({ caFile: pki.caCert })
    const a = await s.transportFor(host)
    const b = await s.transportFor(`https://${host}/token?service=x`)
    const c = await s.transportFor(`localhost:${host.split(':')[1]}`)
    expect(a.dispatcher).toBe(b.dispatcher)
    expect(c.dispatcher).not.toBe(a.dispatcher)
  })

  it('fails fast on a bad caFile or insecure entry, naming it', async () => {
    await expect(createTrustStore({ caFile: join(emptyCertsD, 'missing.pem') })).rejects.toMatchObject({
      code: 'WT_TLS_CA_UNREADABLE',
      message: expect.stringContaining('missing.pem'),
    })
    await expect(
      createTrustStore({ insecureRegistries: ['https://ok.example', 'bad host'] }),
    ).rejects.toMatchObject({
      code: 'WT_TLS_INVALID_HOST',
      message: expect.stringContaining('--insecure-registry "bad host"'),
    })
  })

  it('refuses to work after close()', async () => {
    const s = await createTrustStore({ certsDirs: [emptyCertsD] })
    await s.transportFor(host)
    await s.close()
    await expect(s.transportFor(host)).rejects.toMatchObject({ code: 'WT_TLS_CLOSED' })
  })
})

describe('loadSystemRoots', () => {
  it("merges Node's roots with the system bundle, without duplicates", async () => {
    const roots = await loadSystemRoots()
    expect(roots.pems.length).toBeGreaterThanOrEqual(rootCertificates.length)
    expect(roots.sources[0]).toBe(`Node's bundled roots (${rootCertificates.length})`)
    const twice = await loadSystemRoots({
      systemBundlePaths: [pki.caCert, pki.caCert, '/nonexistent/bundle.pem'],
    })
    expect(twice.pems.length).toBe(rootCertificates.length + 1)
    expect(twice.sources).toEqual([
      `Node's bundled roots (${rootCertificates.length})`,
      `${pki.caCert} (1)`,
      `${pki.caCert} (1)`,
    ])
  })
})

describe("secureContextTrusting: contexts start from Node's default store", () => {
  /** Whether a TLS handshake with `target` verifies under `secureContext`. */
  const verifies = (target: string, secureContext: ReturnType<typeof secureContextTrusting>) =>
    new Promise<boolean>((resolve) => {
      const [h, p] = target.split(':') as [string, string]
      const socket = connect({ host: h, port: Number(p), secureContext, servername: 'localhost' })
      socket.once('secureConnect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })

  it('trusts the certificates handed over and no other private CA', async () => {
    const other = await makePki()
    try {
      const ca = String(await readFile(pki.caCert))
      const nodeRoots = new Set(rootCertificates.map(dedupeKey))
      expect(await verifies(host, secureContextTrusting([...rootCertificates, ca], nodeRoots))).toBe(true)
      expect(await verifies(host, secureContextTrusting([...rootCertificates], nodeRoots))).toBe(false)
      expect(
        await verifies(host, secureContextTrusting([String(await readFile(other.caCert))], undefined)),
      ).toBe(false)
      expect(await verifies(host, secureContextTrusting([ca], undefined))).toBe(true)
    } finally {
      await rm(other.dir, { recursive: true, force: true })
    }
  })

  it("keeps every root of Node's default store when a CA is added (a root from NODE_EXTRA_CA_CERTS still verifies)", async () => {
    // Node's default store is the bundled roots plus NODE_EXTRA_CA_CERTS: a child whose store has
    // this test's CA as an extra root adds a second, unrelated CA and must still trust the first.
    const other = await makePki()
    try {
      const child = `
        const tls = require('node:tls')
        const ctx = tls.createSecureContext()
        ctx.context.addCACert(require('node:fs').readFileSync(process.argv[1], 'utf8'))
        const [h, p] = process.argv[2].split(':')
        const s = tls.connect({ host: h, port: +p, secureContext: ctx, servername: 'localhost' })
        s.once('secureConnect', () => { console.log('verified'); s.destroy() })
        s.once('error', (e) => console.log('refused ' + e.code))`
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', child, other.caCert, host], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caCert },
      })
      expect(stdout.trim()).toBe('verified')
    } finally {
      await rm(other.dir, { recursive: true, force: true })
    }
  })
})
