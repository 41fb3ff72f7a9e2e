/**
 * Plain HTTP over the trust store's undici dispatcher (no retries: credcheck reports what the
 * first answer was), and the mapping of socket/TLS errors to causes and fixes.
 */

import { BODY_LIMITS, type BodyStream, readBoundedBody } from '@watchtower-ts/registry-client'
import type { PeerCertificateSummary } from './_peer-cert.ts'
import { CheckFailure } from './failures.ts'

/** The undici Dispatcher as far as credcheck uses it (the tls package's `RegistryTransport.dispatcher`). */
export interface RequestDispatcher {
  request(options: {
    origin: string
    path: string
    method: 'GET' | 'HEAD' | 'POST'
    headers?: Record<string, string>
    body?: string
    headersTimeout?: number
    bodyTimeout?: number
    signal?: AbortSignal
  }): Promise<{
    statusCode: number
    headers: Record<string, string | string[] | undefined>
    body: AsyncIterable<Uint8Array> & { destroy?(error?: Error): unknown }
  }>
}

export interface SimpleResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  url: URL
}

/**
 * One request, its answer read by the project's bounded reader: at most `maxBytes` (a cap per kind
 * of answer, `BODY_LIMITS`), and the whole exchange, answer included, within `timeoutMs`.
 */
export async function send(
  dispatcher: RequestDispatcher,
  url: URL,
  init: { method: 'GET' | 'HEAD' | 'POST'; headers?: Record<string, string>; body?: string },
  timeoutMs: number,
  maxBytes: number = BODY_LIMITS.manifest,
): Promise<SimpleResponse> {
  const signal = AbortSignal.timeout(timeoutMs)
  const res = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: init.method,
    headers: { 'user-agent': 'credcheck (watchtower-ts)', ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal,
  })
  const body = await readBoundedBody(res.body as unknown as BodyStream, {
    url,
    method: init.method,
    maxBytes,
    signal,
    timeoutMs,
    status: res.statusCode,
  })
  return { status: res.statusCode, headers: res.headers, body, url }
}

export function header(res: SimpleResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

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

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
])
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH'])
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

export function isTlsCertificateError(error: unknown): boolean {
  return errorCodes(error).some((c) => UNKNOWN_CA.has(c) || EXPIRED.has(c) || WRONG_HOST.has(c))
}

export interface NetContext {
  /** `registry 127.0.0.1:5443` or `token server 127.0.0.1:5001`. */
  who: string
  hostPort: string
  /** The server's certificate, when step 3 read it. */
  certificate?: PeerCertificateSummary
  /** Trust sources in effect, for the unknown-CA message. */
  trust?: string[]
  registryCa?: string
  /** `network` failures of a token server get their own code. */
  tokenServer?: boolean
  now: number
}

/** Maps a socket/TLS error to a CheckFailure with a plain cause and a fix. */
export function networkFailure(error: unknown, ctx: NetContext): CheckFailure {
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
  const unknownCa = has(UNKNOWN_CA)
  const expired = has(EXPIRED)
  const wrongHost = has(WRONG_HOST)
  const refused = has(REFUSED)
  const dns = has(DNS)
  const timeout = has(TIMEOUT)
  if (unknownCa) {
    const c = unknownCa
    const trust = ctx.trust?.length ? ` Trusted here: ${ctx.trust.join('; ')}.` : ''
    return new CheckFailure(
      'WT_CREDCHECK_TLS_UNKNOWN_CA',
      `the certificate of ${ctx.who}${certDesc} is signed by a CA that is not trusted (${c}).${trust}`,
      `pass --registry-ca FILE with the CA certificate that signed it${cert ? ` ("${cert.issuer}")` : ''}, or install it as /etc/docker/certs.d/${ctx.hostPort}/ca.crt`,
      { cause: error },
    )
  }
  if (expired) {
    const c = expired
    const leafExpired = cert && Date.parse(cert.validTo) < ctx.now
    const notYet = c === 'CERT_NOT_YET_VALID'
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
  if (wrongHost) {
    const c = wrongHost
    const names = cert?.subjectAltName
      ? `it names ${cert.subjectAltName}`
      : `it names ${cert?.subject ?? 'another host'}`
    return new CheckFailure(
      'WT_CREDCHECK_TLS_WRONG_HOST',
      `the certificate of ${ctx.who} is for another host: ${names}, not ${ctx.hostPort.replace(/:\d+$/, '')} (${c})`,
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
  if (refused) {
    const c = refused
    return new CheckFailure(
      code,
      `cannot connect to ${ctx.who}: nothing answers at ${ctx.hostPort} (${c})`,
      ctx.tokenServer
        ? `start the token server, or fix the realm the registry advertises (auth.token.realm in its config)`
        : `check that the registry runs and listens on ${ctx.hostPort}, and that the image reference names the right host and port`,
      { cause: error },
    )
  }
  if (dns) {
    const c = dns
    return new CheckFailure(
      code,
      `cannot resolve the host of ${ctx.who} (${c})`,
      'check the host name in the image reference / realm and the DNS configuration',
      { cause: error },
    )
  }
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
