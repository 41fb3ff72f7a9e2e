import { X509Certificate } from 'node:crypto'
import { readFile as fsReadFile } from 'node:fs/promises'
import { certInfo, certLabel, countBegins, pemBlocks } from './_pem.ts'
import { _fsReason, TlsError } from './errors.ts'
import type { CertInfo, ReadFile } from './types.ts'

export interface CaBundle {
  file: string
  /** One PEM string per certificate, in file order. */
  pems: string[]
  certificates: CertInfo[]
}

export interface ReadCaBundleOptions {
  /** @default fs.promises.readFile */
  readFile?: ReadFile
  /** How the file is named in messages. @default 'CA bundle' */
  what?: string
}

/**
 * Reads a PEM bundle and parses every certificate in it. Throws a `TlsError` naming the file when
 * it cannot be read (`WT_TLS_CA_UNREADABLE`), holds no certificate (`WT_TLS_CA_NO_CERTIFICATE`) or a
 * certificate does not parse (`WT_TLS_CA_INVALID_CERTIFICATE`). Dates are not checked here.
 */
export async function readCaBundle(file: string, options: ReadCaBundleOptions = {}): Promise<CaBundle> {
  const readFile = options.readFile ?? fsReadFile
  const what = options.what ?? 'CA bundle'
  let raw: Buffer | string
  try {
    raw = await readFile(file)
  } catch (cause) {
    throw new TlsError('WT_TLS_CA_UNREADABLE', `cannot read ${what} ${file}: ${_fsReason(cause)}`, {
      cause,
      file,
    })
  }
  const text = typeof raw === 'string' ? raw : raw.toString('latin1')
  const blocks = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE')
  const begins = countBegins(text, 'CERTIFICATE')
  if (begins === 0) {
    throw new TlsError(
      'WT_TLS_CA_NO_CERTIFICATE',
      `${what} ${file} holds no PEM certificate${noPemHint(raw, text)}`,
      {
        file,
      },
    )
  }
  const pems: string[] = []
  const certificates: CertInfo[] = []
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(certInfo(new X509Certificate(block.pem), i + 1))
      pems.push(block.pem)
    } catch (cause) {
      throw new TlsError(
        'WT_TLS_CA_INVALID_CERTIFICATE',
        `certificate #${i + 1} in ${what} ${file} does not parse: ${(cause as Error).message}`,
        { cause, file },
      )
    }
  }
  if (blocks.length < begins) {
    throw new TlsError(
      'WT_TLS_CA_INVALID_CERTIFICATE',
      `certificate #${blocks.length + 1} in ${what} ${file} does not parse: "-----BEGIN CERTIFICATE-----" without its matching "-----END CERTIFICATE-----"`,
      { file },
    )
  }
  return { file, pems, certificates }
}

function noPemHint(raw: Buffer | string, text: string): string {
  if (typeof raw !== 'string' && raw.length > 0 && raw[0] === 0x30) {
    return ' (it looks like DER; convert it with `openssl x509 -inform der -in FILE -out FILE.pem`)'
  }
  const labels = [...new Set(pemBlocks(text).map((b) => b.label))]
  if (labels.length > 0) return ` (it holds ${labels.join(', ')} instead of "-----BEGIN CERTIFICATE-----")`
  return ' (expected one or more "-----BEGIN CERTIFICATE-----" blocks)'
}

export interface ValidateCaBundleOptions extends ReadCaBundleOptions {
  /** @default Date.now */
  now?: () => number
  /** Warn for a certificate that expires within this many days. @default 30 */
  warnWithinDays?: number
}

export interface CaBundleValidation {
  file: string
  certificates: CertInfo[]
  /** Human lines naming the file: certificates expiring soon, expired or not yet valid among valid ones. */
  warnings: string[]
}

const DAY = 86_400_000

/**
 * The `--registry-ca-validate` check: everything `readCaBundle` checks, plus a `WT_TLS_CA_EXPIRED`
 * error when no certificate is valid now, and warnings for certificates that expire soon.
 */
export async function validateCaBundle(
  file: string,
  options: ValidateCaBundleOptions = {},
): Promise<CaBundleValidation> {
  const bundle = await readCaBundle(file, options)
  const now = (options.now ?? Date.now)()
  const within = (options.warnWithinDays ?? 30) * DAY
  const what = options.what ?? 'CA bundle'
  const warnings: string[] = []
  const invalid: string[] = []
  for (const cert of bundle.certificates) {
    const from = Date.parse(cert.validFrom)
    const to = Date.parse(cert.validTo)
    if (now >= to) invalid.push(`${certLabel(cert)} expired on ${cert.validTo}`)
    else if (now < from) invalid.push(`${certLabel(cert)} is not valid before ${cert.validFrom}`)
    else if (to - now <= within) {
      const days = Math.floor((to - now) / DAY)
      warnings.push(
        `certificate ${certLabel(cert)} in ${what} ${file} expires in ${days} day${days === 1 ? '' : 's'} (${cert.validTo})`,
      )
    }
  }
  if (invalid.length === bundle.certificates.length) {
    throw new TlsError(
      'WT_TLS_CA_EXPIRED',
      `${what} ${file} holds no certificate valid now: ${invalid.join('; ')}`,
      { file },
    )
  }
  for (const line of invalid)
    warnings.push(`certificate ${line} in ${what} ${file}; it cannot verify anything`)
  return { file, certificates: bundle.certificates, warnings }
}
