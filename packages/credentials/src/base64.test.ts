import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { decodeAuthString, decodeBase64Lenient, encodeBase64UrlPadded } from './base64.ts'
import { CredentialsError } from './errors.ts'

const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('decodeAuthString', () => {
  it('decodes `echo -n user:pass | base64` and keeps ":" in passwords', () => {
    expect(decodeAuthString(b64('alice:pa:ss:word'), 'reg')).toEqual({
      username: 'alice',
      password: 'pa:ss:word',
    })
  })
  it('accepts missing padding, the URL-safe alphabet, wrapped lines and NUL padding', () => {
    const plain = 'user:p>?~>?~'
    const std = b64(plain)
    expect(std).toMatch(/[+/]/)
    expect(decodeAuthString(std.replace(/=+$/, ''), 'k').password).toBe('p>?~>?~')
    expect(decodeAuthString(std.replace(/\+/g, '-').replace(/\//g, '_'), 'k').password).toBe('p>?~>?~')
    expect(decodeAuthString(`${std.slice(0, 4)}\n${std.slice(4)}\n`, 'k').password).toBe('p>?~>?~')
    expect(decodeAuthString(b64('user:pw\0\0'), 'k').password).toBe('pw')
  })
  it('decodes gcloud `_json_key` with a multi-line JSON password', () => {
    const key = JSON.stringify(
      {
        type: 'service_account',
        private_key: '-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----\n',
      },
      null,
      2,
    )
    const encoded = b64(`_json_key:${key}`)
    expect(decodeAuthString(encoded, 'gcr.io')).toEqual({ username: '_json_key', password: key })
    // `base64` without -w0 wraps lines at 76 columns
    const wrapped = encoded.match(/.{1,76}/g)!.join('\n')
    expect(decodeAuthString(wrapped, 'gcr.io').password).toBe(key)
  })
  it.each([
    ['not base64', '!!!notbase64!!!', /is not valid base64/],
    ['bad padding', 'YWJj=', /is not valid base64/],
    ['no colon', b64('justauser'), /no ":" found/],
    ['empty username', b64(':pw'), /empty username/],
  ])('%s: error names the registry key, never the value', (_name, auth, message) => {
    let error: unknown
    try {
      decodeAuthString(auth, 'my-registry.example.org:5000', '/x/config.json')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CredentialsError)
    const e = error as CredentialsError
    expect(e.code).toBe('WT_CREDENTIALS_AUTH_INVALID')
    expect(e.message).toMatch(message)
    expect(e.message).toContain('auths["my-registry.example.org:5000"]')
    expect(e.message).toContain('/x/config.json')
    expect(e.message).not.toContain(auth)
    expect(e.key).toBe('my-registry.example.org:5000')
  })
})

const username = fc.string({ minLength: 1 }).filter((s) => !s.includes(':') && !s.includes('\0'))
const password = fc.string({ unit: 'grapheme' }).filter((s) => !s.endsWith('\0'))

describe('base64 properties', () => {
  test.prop([username, password])('auth round-trips through the standard alphabet with padding', (u, p) => {
    expect(decodeAuthString(b64(`${u}:${p}`), 'k')).toEqual({ username: u, password: p })
  })
  test.prop([username, password])('…and through the URL-safe alphabet without padding', (u, p) => {
    const url = Buffer.from(`${u}:${p}`).toString('base64url')
    expect(decodeAuthString(url, 'k')).toEqual({ username: u, password: p })
  })
  test.prop([fc.uint8Array()])('decodeBase64Lenient inverts both encoders', (bytes) => {
    const buf = Buffer.from(bytes)
    expect(decodeBase64Lenient(buf.toString('base64'))?.equals(buf)).toBe(true)
    expect(decodeBase64Lenient(buf.toString('base64url'))?.equals(buf)).toBe(true)
    expect(decodeBase64Lenient(encodeBase64UrlPadded(buf))?.equals(buf)).toBe(true)
  })
  test.prop([fc.uint8Array()])(
    'encodeBase64UrlPadded is Go URLEncoding: URL alphabet, padded to 4',
    (bytes) => {
      const out = encodeBase64UrlPadded(Buffer.from(bytes))
      expect(out.length % 4).toBe(0)
      expect(out).toMatch(/^[A-Za-z0-9_-]*={0,2}$/)
    },
  )
  test.prop([fc.string()])('never throws; rejects text outside the base64 alphabets', (text) => {
    const out = decodeBase64Lenient(text)
    if (/[^A-Za-z0-9+/_=\s-]/.test(text)) expect(out).toBeUndefined()
  })
})
