import { explainTlsError } from '@watchtower-ts/tls'
import { describe, expect, it } from 'vitest'
import { classifyNetworkError } from './_net-errors.ts'

const coded = (code: string, message = `failed: ${code}`) => Object.assign(new Error(message), { code })
const wrapped = (cause: Error) => new TypeError('fetch failed', { cause })

// One TLS taxonomy: what tls's explainTlsError explains is a TLS failure here (never retried).
describe('classifyNetworkError follows tls', () => {
  it.each([
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'HOSTNAME_MISMATCH',
    'EPROTO',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_SOMETHING_NEW',
  ])('%s (nested in a cause) is tls, and tls explains it', (code) => {
    const err = wrapped(coded(code))
    expect(explainTlsError(err)?.code).toBe(code)
    expect(classifyNetworkError(err)).toBe('tls')
  })

  it('timeouts and other network failures are not tls', () => {
    expect(classifyNetworkError(wrapped(coded('UND_ERR_CONNECT_TIMEOUT', 'connect timeout')))).toBe('timeout')
    expect(classifyNetworkError(Object.assign(new Error('aborted'), { name: 'TimeoutError' }))).toBe(
      'timeout',
    )
    expect(classifyNetworkError(wrapped(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')))).toBe(
      'network',
    )
    expect(classifyNetworkError(wrapped(coded('ECONNRESET', 'socket hang up')))).toBe('network')
  })
})
