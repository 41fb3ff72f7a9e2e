/**
 * Test-only: a throwaway PKI made with openssl in a temp folder (nothing committed), for cases the
 * test bed does not provide (a CA expiring soon, one not valid yet) and for a local https server.
 */
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { tempDir } from './temp.ts'

const run = promisify(execFile)

export interface Pki {
  dir: string
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** Self-signed CA valid for 10 more days. */
  soonCaCert: string
  /** Self-signed CA valid 2040-2041 only. */
  futureCaCert: string
  /** Self-signed CA valid 2019-2020 only. */
  expiredCaCert: string
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export async function makePki(): Promise<Pki> {
  const dir = await tempDir('pki')
  const f = (n: string) => join(dir, n)
  const o = (...args: string[]) => run('openssl', args, { cwd: dir })
  await o(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '3650',
    '-subj',
    '/CN=wt-tls test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  )
  const leaf = async (name: string, cn: string, ext: string) => {
    await writeFile(f(`${name}.ext`), `${ext}\nbasicConstraints=CA:FALSE\n`)
    await o('req', ...EC, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`)
    await o(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '30',
      '-out',
      f(`${name}.crt`),
      '-extfile',
      f(`${name}.ext`),
    )
  }
  await leaf('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth')
  await leaf('client', 'wt-tls test client', 'extendedKeyUsage=clientAuth')
  await o(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('soon.key'),
    '-out',
    f('soon.crt'),
    '-days',
    '10',
    '-subj',
    '/CN=wt-tls soon CA',
  )
  await mkdir(f('newcerts'))
  await writeFile(f('index.txt'), '')
  await writeFile(f('serial'), '1000\n')
  await writeFile(
    f('ca.cnf'),
    [
      '[ca]',
      'default_ca=d',
      '[d]',
      `database=${f('index.txt')}`,
      `new_certs_dir=${f('newcerts')}`,
      `serial=${f('serial')}`,
      'default_md=sha256',
      'policy=p',
      'unique_subject=no',
      '[p]',
      'commonName=supplied',
      '[v3_ca]',
      'basicConstraints=critical,CA:TRUE',
      '',
    ].join('\n'),
  )
  const dated = async (name: string, start: string, end: string) => {
    await o(
      'req',
      '-new',
      ...EC,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=wt-tls ${name} CA`,
    )
    await o(
      'ca',
      '-batch',
      '-config',
      f('ca.cnf'),
      '-selfsign',
      '-keyfile',
      f(`${name}.key`),
      '-in',
      f(`${name}.csr`),
      '-out',
      f(`${name}.crt`),
      '-extensions',
      'v3_ca',
      '-notext',
      '-startdate',
      start,
      '-enddate',
      end,
    )
  }
  await dated('future', '20400101000000Z', '20410101000000Z')
  await dated('expired', '20190101000000Z', '20200101000000Z')
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    soonCaCert: f('soon.crt'),
    futureCaCert: f('future.crt'),
    expiredCaCert: f('expired.crt'),
  }
}
