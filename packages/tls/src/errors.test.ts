import { describe, expect, it } from 'vitest'
import { caValidateWithoutFileError, isTlsError, TlsError } from './errors.ts'

describe('TlsError', () => {
  it('--registry-ca-validate without a file: a stable code and a message naming both flags', () => {
    const e = caValidateWithoutFileError()
    expect(e).toMatchObject({ name: 'TlsError', code: 'WT_TLS_CA_VALIDATE_WITHOUT_FILE' })
    expect(e.message).toBe(
      '--registry-ca-validate / WATCHTOWER_REGISTRY_CA_VALIDATE is set but no CA bundle is given: pass the file with --registry-ca / WATCHTOWER_REGISTRY_CA',
    )
  })

  it('is recognised across copies of the package (branded), and keeps its cause', () => {
    const cause = new Error('root')
    const e = new TlsError('WT_TLS_CA_UNREADABLE', 'x', { cause, file: '/f' })
    expect(e.cause).toBe(cause)
    expect(e.file).toBe('/f')
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('wt.error.tls')]: true,
      code: 'WT_TLS_CA_UNREADABLE',
    })
    expect(isTlsError(foreign)).toBe(true)
    expect(isTlsError(new Error('x'))).toBe(false)
  })
})
