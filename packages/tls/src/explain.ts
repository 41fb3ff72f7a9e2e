/** What went wrong in a TLS handshake, in plain words, and what to do about it. */
export interface TlsExplanation {
  /** The underlying code, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  code: string
  kind: 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'client-certificate' | 'not-tls' | 'other'
  /** E.g. "the server's certificate is signed by a CA this machine does not trust". */
  reason: string
  /** E.g. "pass the CA with --registry-ca FILE or put it in /etc/docker/certs.d/HOST/ca.crt". */
  hint: string
  /** `TLS to HOST failed: <reason> (<code>) — <hint>` */
  message: string
}

export interface ExplainContext {
  /** `host[:port]` the connection was for (named in the message and hints). */
  host?: string
  /** First certs.d folder, for hints. @default '/etc/docker/certs.d' */
  certsDir?: string
  /**
   * The request was HTTPS. Then a connection the server closed before sending a single byte is read as
   * a refused client certificate (with TLS 1.3 that is all a client sees of it).
   */
  https?: boolean
  /** The client certificate file that was sent, if any (named in the explanation). */
  clientCertificate?: string
}

type Kind = TlsExplanation['kind']
type Rule = (e: TlsErrorLike, h: Hints) => { kind: Kind; reason: string; hint: string }
interface TlsErrorLike {
  code?: unknown
  socket?: { bytesRead?: unknown }
  message?: unknown
  reason?: unknown
  cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } }
}
interface Hints {
  host: string
  dir: string
}

const untrusted =
  (what: string): Rule =>
  (_e, h) => ({
    kind: 'untrusted',
    reason: what,
    hint: `pass the CA that signed it with --registry-ca FILE (it is merged with the system roots) or put it in ${h.dir}/${h.host}/ca.crt`,
  })

const clientCert =
  (what: string): Rule =>
  (_e, h) => ({
    kind: 'client-certificate',
    reason: what,
    hint: `put a client certificate and its key the registry accepts in ${h.dir}/${h.host}/ as client.cert + client.key`,
  })

const RULES: Record<string, Rule> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: untrusted(
    "the server's certificate is signed by a CA this machine does not trust",
  ),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: untrusted(
    "the server's certificate is signed by a CA this machine does not trust",
  ),
  UNABLE_TO_GET_ISSUER_CERT: untrusted("the issuer of the server's certificate is not known here"),
  SELF_SIGNED_CERT_IN_CHAIN: untrusted(
    "the server's certificate chain ends in a self-signed CA this machine does not trust",
  ),
  DEPTH_ZERO_SELF_SIGNED_CERT: untrusted(
    'the server presents a self-signed certificate this machine does not trust',
  ),
  CERT_UNTRUSTED: untrusted("the server's certificate is not trusted"),
  CERT_REJECTED: untrusted("the server's certificate is rejected for this purpose"),
  CERT_SIGNATURE_FAILURE: untrusted(
    "the signature on the server's certificate does not verify against the CA given",
  ),
  INVALID_CA: untrusted("a CA in the server's chain is not a valid CA certificate"),
  CERT_HAS_EXPIRED: () => ({
    kind: 'expired',
    reason: "the server's certificate (or a CA in its chain) has expired",
    hint: "renew the registry's certificate, and check this machine's clock",
  }),
  CERT_NOT_YET_VALID: () => ({
    kind: 'not-yet-valid',
    reason: "the server's certificate is not valid yet",
    hint: "check this machine's clock, or the certificate's start date",
  }),
  CERT_REVOKED: () => ({
    kind: 'other',
    reason: "the server's certificate has been revoked",
    hint: 'the registry needs a new certificate',
  }),
  INVALID_PURPOSE: () => ({
    kind: 'other',
    reason: "the server's certificate is not meant for a TLS server (extendedKeyUsage)",
    hint: 'reissue it with extendedKeyUsage=serverAuth',
  }),
  HOSTNAME_MISMATCH: (_e, h) => ({
    kind: 'wrong-host',
    reason: `the server's certificate is not valid for ${h.host}`,
    hint: 'use the host name the certificate was issued for, or reissue it with that name or IP in subjectAltName',
  }),
  EPROTO: (e) => ({
    kind: 'other',
    reason: `the TLS handshake failed (protocol error${typeof e.message === 'string' && e.message ? `: ${e.message}` : ''})`,
    hint: 'check that the registry speaks HTTPS on this port with a TLS version and ciphers Node accepts',
  }),
  ERR_TLS_CERT_ALTNAME_INVALID: (e, h) => {
    const names = typeof e.cert?.subjectaltname === 'string' ? e.cert.subjectaltname : undefined
    const cn = typeof e.cert?.subject?.CN === 'string' ? e.cert.subject.CN : undefined
    const forWhat = names ? ` (it is for ${names})` : cn ? ` (it is for CN=${cn})` : ''
    return {
      kind: 'wrong-host',
      reason: `the server's certificate is not valid for ${h.host}${forWhat}`,
      hint: 'use the host name the certificate was issued for, or reissue it with that name or IP in subjectAltName',
    }
  },
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: clientCert(
    'the registry requires a client certificate and none was sent',
  ),
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: clientCert('the registry rejected the client certificate'),
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: clientCert('the registry does not trust the CA of the client certificate'),
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: clientCert('the registry refused the client certificate'),
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: clientCert('the registry says the client certificate has expired'),
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: clientCert('the client certificate and its key do not belong together'),
  ERR_SSL_WRONG_VERSION_NUMBER: (_e, h) => ({
    kind: 'not-tls',
    reason: `${h.host} does not speak TLS on this port (it answered like a plain-HTTP server)`,
    hint: `plain HTTP is only used for loopback registries and those listed with --insecure-registry ${h.host}`,
  }),
  ERR_SSL_PACKET_LENGTH_TOO_LONG: (_e, h) => ({
    kind: 'not-tls',
    reason: `${h.host} does not speak TLS on this port`,
    hint: `plain HTTP is only used for loopback registries and those listed with --insecure-registry ${h.host}`,
  }),
}

/**
 * Turns a TLS failure — the error itself or one nested in `cause` / `AggregateError.errors`, as undici
 * and Node wrap them — into plain words and a hint. Undefined when the error is not about TLS.
 */
export function explainTlsError(error: unknown, context: ExplainContext = {}): TlsExplanation | undefined {
  const hints: Hints = {
    host: context.host ?? 'the registry',
    dir: context.certsDir ?? '/etc/docker/certs.d',
  }
  let fallback: TlsErrorLike | undefined
  for (const e of walk(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined
    if (context.https === true && code === 'UND_ERR_SOCKET' && e.socket?.bytesRead === 0) {
      return build(code, closedAfterHandshake(hints, context.clientCertificate), hints)
    }
    const rule = code === undefined ? undefined : RULES[code]
    if (rule !== undefined && code !== undefined) return build(code, rule(e, hints), hints)
    const message = typeof e.message === 'string' ? e.message : ''
    if (
      fallback === undefined &&
      (/^ERR_(SSL|TLS)_/.test(code ?? '') || /\b(ssl|tls|certificate)\b/i.test(message))
    ) {
      fallback = e
    }
  }
  if (fallback === undefined) return undefined
  const code = typeof fallback.code === 'string' ? fallback.code : 'TLS'
  return build(
    code,
    {
      kind: 'other',
      reason: `the TLS handshake failed: ${String(fallback.message)}`,
      hint: 'run credcheck to see which certificates are trusted for this registry',
    },
    hints,
  )
}

function closedAfterHandshake(
  h: Hints,
  sent: string | undefined,
): { kind: Kind; reason: string; hint: string } {
  return sent === undefined
    ? {
        kind: 'client-certificate',
        reason:
          'the registry closed the TLS connection before answering; it most likely requires a client certificate and none was sent',
        hint: `put a client certificate and its key the registry accepts in ${h.dir}/${h.host}/ as client.cert + client.key`,
      }
    : {
        kind: 'client-certificate',
        reason: `the registry closed the TLS connection before answering; it most likely did not accept the client certificate ${sent}`,
        hint: 'check that the client certificate is signed by a CA the registry trusts, is still valid and matches its key',
      }
}

function build(code: string, r: { kind: Kind; reason: string; hint: string }, h: Hints): TlsExplanation {
  return { code, ...r, message: `TLS to ${h.host} failed: ${r.reason} (${code}) — ${r.hint}` }
}

function* walk(error: unknown): Generator<TlsErrorLike> {
  const queue: unknown[] = [error]
  const seen = new Set<unknown>()
  while (queue.length > 0 && seen.size < 20) {
    const e = queue.shift()
    if (typeof e !== 'object' || e === null || seen.has(e)) continue
    seen.add(e)
    yield e as TlsErrorLike
    const { cause, errors } = e as { cause?: unknown; errors?: unknown }
    if (cause !== undefined) queue.push(cause)
    if (Array.isArray(errors)) queue.push(...errors)
  }
}
