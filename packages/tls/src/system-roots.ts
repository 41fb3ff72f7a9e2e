import { readFile as fsReadFile } from 'node:fs/promises'
import { rootCertificates } from 'node:tls'
import { dedupe, pemBlocks } from './_pem.ts'
import type { ReadFile } from './types.ts'

export const DEFAULT_SYSTEM_BUNDLE_PATHS: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/cert.pem', // macOS, some BSDs
]

export interface SystemRoots {
  pems: string[]
  /** Where they came from, e.g. `Node's bundled roots (146)`, `/etc/ssl/certs/ca-certificates.crt (140)`. */
  sources: string[]
}

/**
 * Node's bundled roots plus the system bundle files that exist, de-duplicated. (Node 20 has no
 * `tls.getCACertificates('system')`; passing `ca` to a TLS connection replaces the defaults, so the
 * custom CAs must be merged with these.) Unreadable bundle files are skipped and named in `sources`.
 */
export async function loadSystemRoots(
  options: {
    rootCertificates?: readonly string[]
    systemBundlePaths?: readonly string[]
    readFile?: ReadFile
  } = {},
): Promise<SystemRoots> {
  const bundled = options.rootCertificates ?? rootCertificates
  const readFile = options.readFile ?? fsReadFile
  const sources = [`Node's bundled roots (${bundled.length})`]
  const all = [...bundled]
  for (const path of options.systemBundlePaths ?? DEFAULT_SYSTEM_BUNDLE_PATHS) {
    let text: string
    try {
      text = String(await readFile(path))
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') sources.push(`${path} (unreadable: ${code ?? error})`)
      continue
    }
    const pems = pemBlocks(text)
      .filter((b) => b.label === 'CERTIFICATE')
      .map((b) => b.pem)
    all.push(...pems)
    sources.push(`${path} (${pems.length})`)
  }
  return { pems: dedupe(all), sources }
}
