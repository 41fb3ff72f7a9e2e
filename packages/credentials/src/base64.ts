import { CredentialsError } from './errors.ts'

const B64_CHARS = /^[A-Za-z0-9+/_-]*={0,2}$/

/**
 * Decode base64 as Docker users write it: standard (`+/`) or URL-safe (`-_`) alphabet, padding
 * optional, line breaks and spaces ignored (`base64` without `-w0` wraps at 76 columns).
 * Returns `undefined` when the text is not base64.
 */
export function decodeBase64Lenient(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '')
  if (!B64_CHARS.test(compact)) return undefined
  const body = compact.replace(/=+$/, '')
  if (body.length % 4 === 1) return undefined
  const padded = compact.length % 4 === 0 || compact === body
  if (!padded) return undefined
  return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

/** Standard base64 with padding, then `+/` → `-_`: Go's `base64.URLEncoding`, which dockerd expects. */
export function encodeBase64UrlPadded(data: string | Buffer): string {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
}

/**
 * Decode a config.json `auth` string into username and password: base64 of `user:password`,
 * split at the first `:` (passwords may contain `:`), trailing NUL padding trimmed as Docker does.
 *
 * @param key the `auths` key, named in errors (never the value).
 * @throws CredentialsError `WT_CREDENTIALS_AUTH_INVALID`
 */
export function decodeAuthString(
  auth: string,
  key: string,
  file?: string,
): { username: string; password: string } {
  const where = `auths[${JSON.stringify(key)}].auth${file ? ` in ${file}` : ''}`
  const bytes = decodeBase64Lenient(auth)
  if (bytes === undefined) {
    throw new CredentialsError('WT_CREDENTIALS_AUTH_INVALID', `${where} is not valid base64`, { key, file })
  }
  const text = bytes.toString('utf8').replace(/\0+$/, '')
  const colon = text.indexOf(':')
  if (colon === -1) {
    throw new CredentialsError(
      'WT_CREDENTIALS_AUTH_INVALID',
      `${where} does not decode to "username:password" (no ":" found)`,
      { key, file },
    )
  }
  const username = text.slice(0, colon)
  if (username === '') {
    throw new CredentialsError('WT_CREDENTIALS_AUTH_INVALID', `${where} decodes to an empty username`, {
      key,
      file,
    })
  }
  return { username, password: text.slice(colon + 1) }
}
