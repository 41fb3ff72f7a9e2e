import { CredentialsError, isCredentialsError } from '@watchtower-ts/credentials'
import { isUpdaterError, UpdaterError } from '@watchtower-ts/docker-updater'
import { ImageReferenceError, isImageReferenceError } from '@watchtower-ts/image-reference'
import { isRegistryError, RegistryError } from '@watchtower-ts/registry-client'
import { isTlsError, TlsError } from '@watchtower-ts/tls'
import { isTokenCacheError, TokenCacheError } from '@watchtower-ts/token-cache'
import { describe, expect, it } from 'vitest'

// One way to define an error family, in every library: a class named after the family with a stable
// `code`, the message, a details object (its fields become readonly properties, `cause` goes to
// Error's own), a brand registered with Symbol.for so that `instanceof` and `isXError` hold across
// two installed copies of the package, and the brand kept out of enumeration.
const families = [
  {
    name: 'CredentialsError',
    make: (cause?: Error) =>
      new CredentialsError('WT_CREDENTIALS_FILE_UNREADABLE', 'm', { registry: 'r.example', cause }),
    detail: ['registry', 'r.example'],
    is: isCredentialsError,
    Class: CredentialsError,
  },
  {
    name: 'UpdaterError',
    make: (cause?: Error) =>
      new UpdaterError('WT_UPDATER_ENGINE_NOT_FOUND', 'm', { container: 'app', cause }),
    detail: ['container', 'app'],
    is: isUpdaterError,
    Class: UpdaterError,
  },
  {
    name: 'ImageReferenceError',
    make: (cause?: Error) => new ImageReferenceError('WT_REFERENCE_INVALID', 'm', { input: 'A:B', cause }),
    detail: ['input', 'A:B'],
    is: isImageReferenceError,
    Class: ImageReferenceError,
  },
  {
    name: 'RegistryError',
    make: (cause?: Error) =>
      new RegistryError('WT_REGISTRY_UNAUTHORIZED', 'm', { registry: 'r.example', cause }),
    detail: ['registry', 'r.example'],
    is: (v: unknown) => isRegistryError(v),
    Class: RegistryError,
  },
  {
    name: 'TlsError',
    make: (cause?: Error) => new TlsError('WT_TLS_CA_UNREADABLE', 'm', { file: '/ca.pem', cause }),
    detail: ['file', '/ca.pem'],
    is: isTlsError,
    Class: TlsError,
  },
  {
    name: 'TokenCacheError',
    make: (cause?: Error) => new TokenCacheError('WT_TOKEN_CACHE_INVALID_KEY', 'm', { cause }),
    detail: undefined,
    is: isTokenCacheError,
    Class: TokenCacheError,
  },
] as const

describe.each(families)('$name', (f) => {
  it('carries name, code, message, details and cause', () => {
    const cause = new Error('the cause')
    const e = f.make(cause)
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe(f.name)
    expect(e.code).toMatch(/^WT_[A-Z_]+$/)
    expect(e.message).toBe('m')
    expect(e.cause).toBe(cause)
    if (f.detail) expect((e as unknown as Record<string, unknown>)[f.detail[0]]).toBe(f.detail[1])
  })

  it('is recognised across copies by its Symbol.for brand, which is not enumerable', () => {
    const e = f.make()
    const brands = Object.getOwnPropertySymbols(e).filter((s) => Symbol.keyFor(s)?.startsWith('wt.error.'))
    expect(brands).toHaveLength(1)
    expect(Object.getOwnPropertyDescriptor(e, brands[0]!)?.enumerable).toBe(false)
    // what a second installed copy of the package would throw: another class, the same brand
    const twin = Object.defineProperty(new Error('twin'), brands[0]!, { value: true })
    expect(twin instanceof f.Class).toBe(true)
    expect(f.is(twin)).toBe(true)
    expect(f.is(new Error('plain'))).toBe(false)
  })

  it('has no cause when none is given', () => {
    expect('cause' in f.make()).toBe(false)
  })
})
