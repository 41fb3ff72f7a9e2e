/** TLS material made at run time with openssl (OpenSSL 3.0: past dates come from `openssl ca`). */
import { randomBytes, X509Certificate } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROXIED_REGISTRY_HOSTNAME, PROXIED_TOKEN_HOSTNAME } from './_proxy-names.ts'
import { exists, runOk } from './_util.ts'
import type { TlsMaterial } from './types.ts'

export interface TlsFiles extends TlsMaterial {
  /** Self-signed certificate + key the token server signs JWTs with (listed in rootcertbundle). */
  signingCert: string
  signingKey: string
}

export function tlsPaths(dir: string): TlsFiles {
  const f = (name: string) => join(dir, 'tls', name)
  return {
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    expiredCert: f('expired.crt'),
    expiredKey: f('expired.key'),
    wrongHostCert: f('wronghost.crt'),
    wrongHostKey: f('wronghost.key'),
    expiredCaCert: f('expired-ca.crt'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    notPem: f('not-a-cert.pem'),
    signingCert: f('token-signing.crt'),
    signingKey: f('token-signing.key'),
  }
}

const serial = () => `0x${randomBytes(8).toString('hex')}`

/** Names the server certificate holds besides 127.0.0.1 / localhost (the proxy tests' host names). */
const SERVER_EXTRA_NAMES = [PROXIED_REGISTRY_HOSTNAME, PROXIED_TOKEN_HOSTNAME]

/**
 * True when the material is complete (`done` marker) and current: a server certificate made by an
 * older bed (without the proxy tests' names) is made again, with everything signed by the same run.
 */
export async function tlsUpToDate(dir: string): Promise<boolean> {
  const p = tlsPaths(dir)
  if (!(await exists(join(dir, 'tls', 'done')))) return false
  try {
    const san = new X509Certificate(await readFile(p.serverCert)).subjectAltName ?? ''
    return SERVER_EXTRA_NAMES.every((n) => san.includes(`DNS:${n}`))
  } catch {
    return false
  }
}

/** Makes the material once; a `done` marker written last makes reuse safe after a crash. */
export async function ensureTls(dir: string): Promise<TlsFiles> {
  const p = tlsPaths(dir)
  const tdir = join(dir, 'tls')
  const done = join(tdir, 'done')
  if (await tlsUpToDate(dir)) return p
  await rm(tdir, { recursive: true, force: true })
  await mkdir(join(tdir, 'newcerts'), { recursive: true })
  const o = (...args: string[]) => runOk('openssl', args, { cwd: tdir })

  await o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p.caKey,
    '-out',
    p.caCert,
    '-days',
    '3650',
    '-subj',
    '/CN=watchtower-ts testbed CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  )
  const leaf = async (key: string, cert: string, cn: string, ext: string) => {
    const csr = `${cert}.csr`
    const extFile = `${cert}.ext`
    await writeFile(extFile, `${ext}\nbasicConstraints=CA:FALSE\n`)
    await o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`)
    await o(
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      p.caCert,
      '-CAkey',
      p.caKey,
      '-set_serial',
      serial(),
      '-days',
      '825',
      '-sha256',
      '-out',
      cert,
      '-extfile',
      extFile,
    )
  }
  await leaf(
    p.serverKey,
    p.serverCert,
    '127.0.0.1',
    `subjectAltName=IP:127.0.0.1,DNS:localhost,${SERVER_EXTRA_NAMES.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment`,
  )
  await leaf(
    p.wrongHostKey,
    p.wrongHostCert,
    'wrong.example.invalid',
    'subjectAltName=DNS:wrong.example.invalid\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment',
  )
  await leaf(
    p.clientKey,
    p.clientCert,
    'wt-testbed-client',
    'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment',
  )

  // `openssl ca` is the only way to past dates on OpenSSL 3.0.
  const caConf = join(tdir, 'ca.cnf')
  await writeFile(join(tdir, 'index.txt'), '')
  await writeFile(join(tdir, 'serial'), `${randomBytes(8).toString('hex').toUpperCase()}\n`)
  await writeFile(
    caConf,
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      `database = ${join(tdir, 'index.txt')}`,
      `new_certs_dir = ${join(tdir, 'newcerts')}`,
      `serial = ${join(tdir, 'serial')}`,
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'copy_extensions = none',
      '[ policy_any ]',
      'commonName = supplied',
      '[ v3_leaf ]',
      'subjectAltName = IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage = serverAuth',
      'basicConstraints = CA:FALSE',
      '[ v3_ca ]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  )
  const past = ['-startdate', '20190101000000Z', '-enddate', '20200101000000Z']
  await o(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p.expiredKey,
    '-out',
    `${p.expiredCert}.csr`,
    '-subj',
    '/CN=127.0.0.1',
  )
  await o(
    'ca',
    '-batch',
    '-config',
    caConf,
    '-cert',
    p.caCert,
    '-keyfile',
    p.caKey,
    '-in',
    `${p.expiredCert}.csr`,
    '-out',
    p.expiredCert,
    '-extensions',
    'v3_leaf',
    '-notext',
    ...past,
  )
  const expiredCaKey = join(tdir, 'expired-ca.key')
  await o(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    expiredCaKey,
    '-out',
    `${p.expiredCaCert}.csr`,
    '-subj',
    '/CN=watchtower-ts expired CA',
  )
  await o(
    'ca',
    '-batch',
    '-config',
    caConf,
    '-selfsign',
    '-keyfile',
    expiredCaKey,
    '-in',
    `${p.expiredCaCert}.csr`,
    '-out',
    p.expiredCaCert,
    '-extensions',
    'v3_ca',
    '-notext',
    ...past,
  )

  await o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p.signingKey,
    '-out',
    p.signingCert,
    '-days',
    '3650',
    '-subj',
    '/CN=watchtower-ts testbed token signer',
  )
  await writeFile(p.notPem, 'This file holds no certificate at all.\n')
  await writeFile(done, new Date().toISOString())
  return p
}
