import { describe, expect, it } from 'vitest'
import { explainTlsError } from './explain.ts'

const coded = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`openssl says ${code}`), { code, ...extra })

describe('explainTlsError (shapes; real handshakes are in trust-store and testbed tests)', () => {
  it.each([
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'untrusted',
      'signed by a CA this machine does not trust',
      '--registry-ca',
    ],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted', 'does not trust', '/etc/docker/certs.d/r:5000/ca.crt'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted', 'self-signed CA', '--registry-ca'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted', 'self-signed certificate', '--registry-ca'],
    ['CERT_HAS_EXPIRED', 'expired', 'has expired', 'clock'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid', 'not valid yet', 'clock'],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'client-certificate',
      'requires a client certificate',
      'client.cert',
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls', 'does not speak TLS', '--insecure-registry r:5000'],
    ['CERT_REJECTED', 'untrusted', 'rejected', '--registry-ca'],
    ['HOSTNAME_MISMATCH', 'wrong-host', 'not valid for r:5000', 'subjectAltName'],
    ['EPROTO', 'other', 'protocol error', 'HTTPS on this port'],
  ])('%s → %s', (code, kind, reason, hint) => {
    const got = explainTlsError(coded(code), { host: 'r:5000' })
    expect(got).toMatchObject({ code, kind })
    expect(got?.reason).toContain(reason)
    expect(got?.hint).toContain(hint)
    expect(got?.message).toMatch(new RegExp(`^TLS to r:5000 failed: .*\\(${code}\\) — `))
  })

  it('names the certificate names for a wrong host', () => {
    const err = coded('ERR_TLS_CERT_ALTNAME_INVALID', {
      cert: { subjectaltname: 'DNS:wrong.example.invalid' },
    })
    expect(explainTlsError(err, { host: '127.0.0.1:5000' })?.reason).toBe(
      "the server's certificate is not valid for 127.0.0.1:5000 (it is for DNS:wrong.example.invalid)",
    )
  })

  it('finds the TLS error nested in cause and in AggregateError', () => {
    const nested = new Error('fetch failed', {
      cause: new AggregateError([new Error('ECONNREFUSED'), coded('CERT_HAS_EXPIRED')]),
    })
    expect(explainTlsError(nested)?.code).toBe('CERT_HAS_EXPIRED')
  })

  it('falls back to a generic explanation for an unknown TLS code', () => {
    expect(explainTlsError(coded('ERR_SSL_SOMETHING_NEW'))).toMatchObject({
      kind: 'other',
      code: 'ERR_SSL_SOMETHING_NEW',
    })
  })

  it('reads a socket closed before any byte on HTTPS as a refused client certificate', () => {
    const closed = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
      socket: { bytesRead: 0 },
    })
    expect(explainTlsError(closed)).toBeUndefined()
    expect(explainTlsError(closed, { https: true })?.reason).toContain('none was sent')
    expect(explainTlsError(closed, { https: true, clientCertificate: '/d/client.cert' })?.reason).toContain(
      'did not accept the client certificate /d/client.cert',
    )
    const later = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
      socket: { bytesRead: 10 },
    })
    expect(explainTlsError(later, { https: true })).toBeUndefined()
  })

  it('is undefined for errors that are not about TLS', () => {
    expect(explainTlsError(coded('ECONNREFUSED'))).toBeUndefined()
    expect(explainTlsError('text')).toBeUndefined()
    expect(explainTlsError(undefined)).toBeUndefined()
  })

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown }
    a.cause = a
    expect(explainTlsError(a)).toBeUndefined()
  })
})
