import { readdir as fsReaddir, readFile as fsReadFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readCaBundle } from './ca-bundle.ts'
import { _fsReason, TlsError } from './errors.ts'
import type { CertInfo, ReadDir, ReadFile } from './types.ts'

export const DEFAULT_CERTS_DIRS: readonly string[] = ['/etc/docker/certs.d']

export interface CertsDirCa {
  file: string
  pems: string[]
  certificates: CertInfo[]
}

export interface ClientCertificate {
  certFile: string
  keyFile: string
  /** PEM text of the certificate (chain) and key. The key is a secret: never print it. */
  cert: string
  key: string
  certificates: CertInfo[]
}

export interface CertsDirEntry {
  /** `<certsDir>/<host[:port]>` */
  dir: string
  cas: CertsDirCa[]
  clients: ClientCertificate[]
}

/**
 * Reads `<certsDir>/<hostPort>/` like dockerd: `*.crt` are CAs; `*.cert` with the `*.key` of the same
 * base name is a client certificate; a lone `.key` or lone `.cert` is an error naming the folder.
 * Returns undefined when the folder does not exist.
 */
export async function readCertsDir(
  certsDir: string,
  hostPort: string,
  options: { readFile?: ReadFile; readdir?: ReadDir } = {},
): Promise<CertsDirEntry | undefined> {
  const readFile = options.readFile ?? fsReadFile
  const readdir = options.readdir ?? ((p: string) => fsReaddir(p))
  const dir = join(certsDir, hostPort)
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch (cause) {
    const code = (cause as { code?: string }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new TlsError(
      'WT_TLS_CERTS_D_UNREADABLE',
      `cannot list certs.d folder ${dir}: ${_fsReason(cause)}`,
      {
        cause,
        file: dir,
      },
    )
  }
  const has = new Set(names)
  const entry: CertsDirEntry = { dir, cas: [], clients: [] }
  for (const name of names) {
    if (name.endsWith('.crt')) {
      const file = join(dir, name)
      const bundle = await readCaBundle(file, { readFile, what: 'certs.d CA file' })
      entry.cas.push({ file, pems: bundle.pems, certificates: bundle.certificates })
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`
      if (!has.has(keyName)) {
        throw new TlsError(
          'WT_TLS_CERTS_D_LONE_CERT',
          `certs.d folder ${dir} holds the client certificate ${name} but not its key ${keyName} (CA certificates must end in .crt)`,
          { file: dir },
        )
      }
      const certFile = join(dir, name)
      const keyFile = join(dir, keyName)
      const bundle = await readCaBundle(certFile, { readFile, what: 'certs.d client certificate' })
      let key: string
      try {
        key = String(await readFile(keyFile))
      } catch (cause) {
        throw new TlsError(
          'WT_TLS_CERTS_D_UNREADABLE',
          `cannot read client key ${keyFile}: ${_fsReason(cause)}`,
          {
            cause,
            file: keyFile,
          },
        )
      }
      const client = { certFile, keyFile, cert: bundle.pems.join('\n'), certificates: bundle.certificates }
      // The private key stays out of JSON and util.inspect.
      Object.defineProperty(client, 'key', { value: key, enumerable: false })
      entry.clients.push(client as ClientCertificate)
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`
      if (!has.has(certName)) {
        throw new TlsError(
          'WT_TLS_CERTS_D_LONE_KEY',
          `certs.d folder ${dir} holds the client key ${name} but not its certificate ${certName}`,
          { file: dir },
        )
      }
    }
  }
  return entry
}
