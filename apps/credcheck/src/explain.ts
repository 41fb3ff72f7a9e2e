/**
 * credcheck's own part of a network failure: its cause and fix in plain words, with what credcheck
 * knows around it (the certificate it read, the trust sources in effect). What kind of TLS failure it
 * was comes from the tls package's `explainTlsError`; the request itself was registry-client's.
 */
import { isRegistryError } from '@watchtower-ts/registry-client'
import { explainTlsError } from '@watchtower-ts/tls'
import type { PeerCertificateSummary } from './_peer-cert.ts'
import { CheckFailure } from './failures.ts'

/** Every `code` along the cause chain (and inside AggregateErrors). */
export function errorCodes(error: unknown): string[] {
  const out: string[] = []
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 6) return
    const o = e as { code?: unknown; cause?: unknown; errors?: unknown }
    if (typeof o.code === 'string') out.push(o.code)
    if (Array.isArray(o.errors)) for (const inner of o.errors) visit(inner, depth + 1)
    visit(o.cause, depth + 1)
  }
  visit(error, 0)
  return out
}

/**
 * What undici or Node threw, out of the `RegistryError` registry-client's exchange wraps it in
 * (`WT_REGISTRY_NETWORK` / `_TLS` / `_TIMEOUT` with `cause`); other errors as they are.
 */
export function rawCause(error: unknown): unknown {
  return isRegistryError(error) &&
    ['WT_REGISTRY_NETWORK', 'WT_REGISTRY_TLS', 'WT_REGISTRY_TIMEOUT'].includes(error.code) &&
    error.cause !== undefined
    ? error.cause
    : error
}

/** The certificate verification failures (untrusted, expired, wrong host) as tls names them. */
function certificateProblem(error: unknown) {
  const e = explainTlsError(error)
  return e && ['untrusted', 'expired', 'not-yet-valid', 'wrong-host'].includes(e.kind) ? e : undefined
}

export function isTlsCertificateError(error: unknown): boolean {
  return certificateProblem(error) !== undefined
}

const REFUSED = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPIPE',
])
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN'])
const TIMEOUT = new Set([
  'WT_REGISTRY_TIMEOUT',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
  'UND_ERR_ABORTED',
])

export interface NetContext {
  /** `registry 127.0.0.1:5443` or `token server 127.0.0.1:5001`. */
  who: string
  hostPort: string
  /** The server's certificate, when step 3 read it. */
  certificate?: PeerCertificateSummary
  /** Trust sources in effect, for the unknown-CA message. */
  trust?: string[]
  /** `network` failures of a token server get their own code. */
  tokenServer?: boolean
  now: number
}

/** Explains a request that got no answer (socket, TLS, timeout, an over-large answer): cause and fix. */
export function networkFailure(failure: unknown, ctx: NetContext): CheckFailure {
  const error = rawCause(failure)
  const codes = errorCodes(error)
  if (codes[0] === 'WT_REGISTRY_BODY_TOO_LARGE') {
    return new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `${ctx.who} sent ${(error as Error).message.replace(/^the answer is /, 'an answer ')}`,
      `check that ${ctx.hostPort} is a registry (or token server) and not something else answering on that port`,
    )
  }
  const has = (set: Set<string>) => codes.find((c) => set.has(c))
  const cert = ctx.certificate
  const certDesc = cert ? ` (subject ${cert.subject}, issued by ${cert.issuer})` : ''
  const tls = certificateProblem(error)
  if (tls?.kind === 'untrusted') {
    const trust = ctx.trust?.length ? ` Trusted here: ${ctx.trust.join('; ')}.` : ''
    return new CheckFailure(
      'WT_CREDCHECK_TLS_UNKNOWN_CA',
      `the certificate of ${ctx.who}${certDesc} is signed by a CA that is not trusted (${tls.code}).${trust}`,
      `pass --registry-ca FILE with the CA certificate that signed it${cert ? ` ("${cert.issuer}")` : ''}, or install it as /etc/docker/certs.d/${ctx.hostPort}/ca.crt`,
      { cause: error },
    )
  }
  if (tls?.kind === 'expired' || tls?.kind === 'not-yet-valid') {
    const c = tls.code
    const leafExpired = cert && Date.parse(cert.validTo) < ctx.now
    const notYet = tls.kind === 'not-yet-valid'
    return new CheckFailure(
      'WT_CREDCHECK_TLS_EXPIRED',
      notYet
        ? `the certificate of ${ctx.who} is not valid yet${cert ? ` (valid from ${cert.validFrom})` : ''} (${c})`
        : leafExpired
          ? `the certificate of ${ctx.who}${certDesc} expired on ${cert.validTo} (${c})`
          : `a certificate in the chain of ${ctx.who}${certDesc} has expired (${c})`,
      notYet
        ? "check the clock of this machine and of the registry's certificate authority"
        : leafExpired
          ? `renew the certificate of ${ctx.who} (the registry's http.tls.certificate)`
          : 'renew the expired CA certificate and hand the new one to --registry-ca or certs.d',
      { cause: error },
    )
  }
  if (tls?.kind === 'wrong-host') {
    const names = cert?.subjectAltName
      ? `it names ${cert.subjectAltName}`
      : `it names ${cert?.subject ?? 'another host'}`
    return new CheckFailure(
      'WT_CREDCHECK_TLS_WRONG_HOST',
      `the certificate of ${ctx.who} is for another host: ${names}, not ${ctx.hostPort.replace(/:\d+$/, '')} (${tls.code})`,
      `reissue the certificate with subjectAltName for ${ctx.hostPort.replace(/:\d+$/, '')}, or use the host name the certificate names in the image reference`,
      { cause: error },
    )
  }
  if (codes.some((x) => x.startsWith('ERR_TLS_') || x.startsWith('ERR_SSL_') || x === 'EPROTO')) {
    return new CheckFailure(
      'WT_CREDCHECK_TLS',
      `the TLS handshake with ${ctx.who} failed (${codes.join(', ')})`,
      `check that ${ctx.hostPort} serves HTTPS (or list it with --insecure-registry if it serves plain HTTP) and whether it requires a client certificate (certs.d/${ctx.hostPort}/client.cert + client.key)`,
      { cause: error },
    )
  }
  const code = ctx.tokenServer ? 'WT_CREDCHECK_TOKEN_SERVER_UNREACHABLE' : 'WT_CREDCHECK_UNREACHABLE'
  const refused = has(REFUSED)
  if (refused) {
    return new CheckFailure(
      code,
      `cannot connect to ${ctx.who}: nothing answers at ${ctx.hostPort} (${refused})`,
      ctx.tokenServer
        ? `start the token server, or fix the realm the registry advertises (auth.token.realm in its config)`
        : `check that the registry runs and listens on ${ctx.hostPort}, and that the image reference names the right host and port`,
      { cause: error },
    )
  }
  const dns = has(DNS)
  if (dns) {
    return new CheckFailure(
      code,
      `cannot resolve the host of ${ctx.who} (${dns})`,
      'check the host name in the image reference / realm and the DNS configuration',
      { cause: error },
    )
  }
  const timeout = has(TIMEOUT)
  if (timeout || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
    return new CheckFailure(
      code,
      `${ctx.who} did not answer in time (${timeout ?? 'timeout'})`,
      'check that the host is reachable from here (firewall, proxy) and not overloaded',
      { cause: error },
    )
  }
  return new CheckFailure(
    code,
    `cannot talk to ${ctx.who}: ${error instanceof Error ? error.message : String(error)}${codes.length ? ` (${codes.join(', ')})` : ''}`,
    `check that ${ctx.hostPort} is reachable from here`,
    { cause: error },
  )
}
