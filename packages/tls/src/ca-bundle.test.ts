import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makePki, type Pki, tempDir } from '@watchtower-ts/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCaBundle, validateCaBundle } from './ca-bundle.ts'

let pki: Pki
let dir: string
const file = async (name: string, content: string | Buffer) => {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

beforeAll(async () => {
  pki = await makePki()
  dir = await tempDir('tls-bundle')
})

describe('readCaBundle', () => {
  it('reads every certificate of a bundle, with subjects and dates', async () => {
    const bundle = await file(
      'two.pem',
      `${await readFile(pki.caCert, 'utf8')}\n${await readFile(pki.soonCaCert, 'utf8')}`,
    )
    const got = await readCaBundle(bundle)
    expect(got.pems).toHaveLength(2)
    expect(got.certificates.map((c) => [c.index, c.subject, c.ca])).toEqual([
      [1, 'CN=wt-tls test CA', true],
      [2, 'CN=wt-tls soon CA', true],
    ])
    expect(got.certificates[0]!.selfSigned).toBe(true)
    expect(got.certificates[0]!.validTo).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('does not check dates (an expired CA still loads)', async () => {
    expect((await readCaBundle(pki.expiredCaCert)).certificates).toHaveLength(1)
  })

  it('a missing file: WT_TLS_CA_UNREADABLE naming the file and the reason', async () => {
    const missing = join(dir, 'nope.pem')
    await expect(readCaBundle(missing)).rejects.toMatchObject({
      code: 'WT_TLS_CA_UNREADABLE',
      file: missing,
      message: `cannot read CA bundle ${missing}: it does not exist (ENOENT)`,
    })
  })

  it('a directory: WT_TLS_CA_UNREADABLE', async () => {
    await expect(readCaBundle(dir)).rejects.toMatchObject({
      code: 'WT_TLS_CA_UNREADABLE',
      message: expect.stringContaining('it is a directory'),
    })
  })

  it('an injected readFile is used', async () => {
    const pem = await readFile(pki.caCert, 'utf8')
    const got = await readCaBundle('/virtual/ca.pem', { readFile: async () => pem })
    expect(got.file).toBe('/virtual/ca.pem')
  })

  it.each([
    ['plain text', 'hello\n', 'expected one or more "-----BEGIN CERTIFICATE-----" blocks'],
    ['an empty file', '', 'expected one or more'],
    [
      'a private key',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      'it holds PRIVATE KEY instead',
    ],
  ])('%s: WT_TLS_CA_NO_CERTIFICATE naming the file', async (_label, content, hint) => {
    const path = await file(`no-cert-${_label.replace(/\W/g, '')}.pem`, content)
    const error = await readCaBundle(path).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WT_TLS_CA_NO_CERTIFICATE', file: path })
    expect((error as Error).message).toContain(`CA bundle ${path} holds no PEM certificate`)
    expect((error as Error).message).toContain(hint)
  })

  it('a DER file: WT_TLS_CA_NO_CERTIFICATE with a conversion hint', async () => {
    const pem = await readFile(pki.caCert, 'utf8')
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
    const path = await file('ca.der', der)
    await expect(readCaBundle(path)).rejects.toMatchObject({
      code: 'WT_TLS_CA_NO_CERTIFICATE',
      message: expect.stringContaining('openssl x509 -inform der'),
    })
  })

  it('a garbage certificate: WT_TLS_CA_INVALID_CERTIFICATE naming the file and its position', async () => {
    const good = await readFile(pki.caCert, 'utf8')
    const path = await file(
      'garbage.pem',
      `${good}\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n`,
    )
    const error = await readCaBundle(path).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WT_TLS_CA_INVALID_CERTIFICATE', file: path })
    expect((error as Error).message).toMatch(
      new RegExp(`^certificate #2 in CA bundle ${path} does not parse: `),
    )
    expect((error as Error).cause).toBeDefined()
  })

  it('a truncated certificate (BEGIN without END): WT_TLS_CA_INVALID_CERTIFICATE', async () => {
    const good = await readFile(pki.caCert, 'utf8')
    const path = await file('truncated.pem', good.slice(0, 200))
    await expect(readCaBundle(path)).rejects.toMatchObject({
      code: 'WT_TLS_CA_INVALID_CERTIFICATE',
      message: expect.stringContaining('without its matching "-----END CERTIFICATE-----"'),
    })
  })
})

describe('validateCaBundle', () => {
  it('a valid CA: its certificates, no warnings', async () => {
    const got = await validateCaBundle(pki.caCert)
    expect(got).toMatchObject({ file: pki.caCert, warnings: [] })
    expect(got.certificates[0]!.subject).toBe('CN=wt-tls test CA')
  })

  it('only expired certificates: WT_TLS_CA_EXPIRED naming the file and the date', async () => {
    const error = await validateCaBundle(pki.expiredCaCert).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WT_TLS_CA_EXPIRED', file: pki.expiredCaCert })
    expect((error as Error).message).toBe(
      `CA bundle ${pki.expiredCaCert} holds no certificate valid now: #1 (CN=wt-tls expired CA) expired on 2020-01-01T00:00:00.000Z`,
    )
  })

  it('only not-yet-valid certificates: WT_TLS_CA_EXPIRED', async () => {
    await expect(validateCaBundle(pki.futureCaCert)).rejects.toMatchObject({
      code: 'WT_TLS_CA_EXPIRED',
      message: expect.stringContaining('is not valid before 2040-01-01T00:00:00.000Z'),
    })
  })

  it('warns for a certificate expiring within 30 days', async () => {
    const got = await validateCaBundle(pki.soonCaCert)
    expect(got.warnings).toHaveLength(1)
    expect(got.warnings[0]).toMatch(
      new RegExp(
        `^certificate #1 \\(CN=wt-tls soon CA\\) in CA bundle ${pki.soonCaCert} expires in (9|10) days \\(`,
      ),
    )
  })

  it('the 30-day window and the clock are options', async () => {
    const caTo = Date.parse((await validateCaBundle(pki.caCert)).certificates[0]!.validTo)
    const late = await validateCaBundle(pki.caCert, { now: () => caTo - 86_400_000 * 3 })
    expect(late.warnings[0]).toContain('expires in 3 days')
    expect((await validateCaBundle(pki.soonCaCert, { warnWithinDays: 5 })).warnings).toEqual([])
  })

  it('a bundle with valid and expired certificates passes with a warning for the expired one', async () => {
    const path = await file(
      'mixed.pem',
      `${await readFile(pki.expiredCaCert, 'utf8')}${await readFile(pki.caCert, 'utf8')}`,
    )
    const got = await validateCaBundle(path)
    expect(got.certificates).toHaveLength(2)
    expect(got.warnings).toEqual([
      `certificate #1 (CN=wt-tls expired CA) expired on 2020-01-01T00:00:00.000Z in CA bundle ${path}; it cannot verify anything`,
    ])
  })

  it('runs the read checks too (missing file)', async () => {
    await expect(validateCaBundle(join(dir, 'absent.pem'))).rejects.toMatchObject({
      code: 'WT_TLS_CA_UNREADABLE',
    })
  })
})
