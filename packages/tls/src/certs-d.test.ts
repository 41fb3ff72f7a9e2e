import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { makePki, type Pki, tempDir } from '@watchtower-ts/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCertsDir } from './certs-d.ts'

let pki: Pki
let root: string
beforeAll(async () => {
  pki = await makePki()
  root = await tempDir('certs-d')
})

async function hostDir(host: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, host)
  await mkdir(dir, { recursive: true })
  for (const [name, from] of Object.entries(files)) await copyFile(from, join(dir, name))
  return dir
}

describe('readCertsDir', () => {
  it('is undefined when the host has no folder', async () => {
    expect(await readCertsDir(root, 'absent:5000')).toBeUndefined()
    expect(await readCertsDir(join(root, 'no-such-root'), 'absent:5000')).toBeUndefined()
  })

  it('reads *.crt as CAs and *.cert + *.key as a client certificate; ignores other files', async () => {
    const dir = await hostDir('127.0.0.1:5443', {
      'ca.crt': pki.caCert,
      'client.cert': pki.clientCert,
      'client.key': pki.clientKey,
      'README.txt': pki.caCert,
    })
    const got = await readCertsDir(root, '127.0.0.1:5443')
    expect(got?.dir).toBe(dir)
    expect(got?.cas.map((c) => [c.file, c.certificates[0]?.subject])).toEqual([
      [join(dir, 'ca.crt'), 'CN=wt-tls test CA'],
    ])
    expect(got?.clients).toHaveLength(1)
    expect(got?.clients[0]).toMatchObject({
      certFile: join(dir, 'client.cert'),
      keyFile: join(dir, 'client.key'),
    })
    expect(got?.clients[0]?.key).toContain('PRIVATE KEY')
    expect(JSON.stringify(got)).not.toContain('PRIVATE KEY')
    expect(inspect(got, { depth: 9 })).not.toContain('PRIVATE KEY')
  })

  it('a lone .key is an error naming the folder', async () => {
    const dir = await hostDir('lone-key:5000', { 'ca.crt': pki.caCert, 'client.key': pki.clientKey })
    await expect(readCertsDir(root, 'lone-key:5000')).rejects.toMatchObject({
      code: 'WT_TLS_CERTS_D_LONE_KEY',
      file: dir,
      message: `certs.d folder ${dir} holds the client key client.key but not its certificate client.cert`,
    })
  })

  it('a lone .cert is an error naming the folder (CAs must end in .crt)', async () => {
    const dir = await hostDir('lone-cert:5000', { 'ca.cert': pki.caCert })
    await expect(readCertsDir(root, 'lone-cert:5000')).rejects.toMatchObject({
      code: 'WT_TLS_CERTS_D_LONE_CERT',
      message: expect.stringContaining(
        `certs.d folder ${dir} holds the client certificate ca.cert but not its key ca.key`,
      ),
    })
  })

  it('a .crt that is not a certificate is an error naming the file', async () => {
    const dir = join(root, 'bad-crt:5000')
    await mkdir(dir)
    await writeFile(join(dir, 'ca.crt'), 'nope')
    await expect(readCertsDir(root, 'bad-crt:5000')).rejects.toMatchObject({
      code: 'WT_TLS_CA_NO_CERTIFICATE',
      message: expect.stringContaining(`certs.d CA file ${join(dir, 'ca.crt')} holds no PEM certificate`),
    })
  })

  it('an unlistable folder is an error naming it', async () => {
    const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    await expect(
      readCertsDir('/certs.d', 'x:1', {
        readdir: async () => {
          throw eacces
        },
      }),
    ).rejects.toMatchObject({
      code: 'WT_TLS_CERTS_D_UNREADABLE',
      message: 'cannot list certs.d folder /certs.d/x:1: permission denied (EACCES)',
    })
  })
})
