import type { X509Certificate } from 'node:crypto'
import type { CertInfo } from './types.ts'

/** A PEM block of any label, in file order. */
export interface PemBlock {
  label: string
  pem: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g
const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g

export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }))
}

/** How many `BEGIN <label>` markers the text holds (a block without its END counts too). */
export function countBegins(text: string, label: string): number {
  return [...text.matchAll(BEGIN)].filter((m) => m[1] === label).length
}

/** A key identical for the same certificate however it is wrapped or spaced. */
export function dedupeKey(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
}

/** Keeps the first of each certificate. */
export function dedupe(pems: Iterable<string>): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const pem of pems) {
    const k = dedupeKey(pem)
    if (!seen.has(k)) {
      seen.add(k)
      out.push(pem)
    }
  }
  return out
}

const oneLine = (dn: string): string => dn.split('\n').filter(Boolean).join(', ')

export function certInfo(cert: X509Certificate, index: number): CertInfo {
  return {
    index,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
    ca: cert.ca,
    selfSigned: cert.subject === cert.issuer && cert.checkIssued(cert),
  }
}

/** "#2 (CN=My CA)" */
export function certLabel(info: CertInfo): string {
  return `#${info.index} (${info.subject || 'no subject'})`
}
