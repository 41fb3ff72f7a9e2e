import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { b64, expectNoSecrets } from '../test/fixtures.ts'
import { anonymousCredentials, createRegistryCredentials } from './credentials.ts'

const SECRET = 's3cr3t:pa$$word'
const basic = createRegistryCredentials({
  registry: 'https://index.docker.io/v1/',
  kind: 'basic',
  username: 'alice',
  secret: SECRET,
  source: { kind: 'env', description: 'env REPO_USER' },
})
const token = createRegistryCredentials({
  registry: '127.0.0.1:5000',
  kind: 'identity-token',
  username: 'bob',
  secret: 'refresh-token-xyz',
  source: {
    kind: 'auths',
    description: 'config.json /x auths["127.0.0.1:5000"]',
    file: '/x',
    key: '127.0.0.1:5000',
  },
})

function decodeEngineAuth(value: string): unknown {
  // dockerd decodes with Go's base64.URLEncoding (padded)
  expect(value).toMatch(/^[A-Za-z0-9_-]*={0,2}$/)
  expect(value.length % 4).toBe(0)
  return JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
}

describe('RegistryCredentials', () => {
  it('normalizes the registry and exposes the secret only through secret()', () => {
    expect(basic.registry).toBe('docker.io')
    expect(basic.username).toBe('alice')
    expect(basic.secret()).toBe(SECRET)
    expect(basic.basicAuthorization()).toBe(`Basic ${b64(`alice:${SECRET}`)}`)
    expect(token.basicAuthorization()).toBeUndefined()
    expect(token.secret()).toBe('refresh-token-xyz')
  })

  it('is immutable', () => {
    expect(Object.isFrozen(basic)).toBe(true)
    expect(Object.isFrozen(basic.source)).toBe(true)
    expect(() => {
      ;(basic as { username: string }).username = 'mallory'
    }).toThrow(TypeError)
  })

  it('never shows a secret in toString, inspect, JSON, spread or keys', () => {
    for (const c of [basic, token]) {
      expectNoSecrets(c, [SECRET, 'refresh-token-xyz', b64(`alice:${SECRET}`)])
      expect(JSON.stringify({ ...c })).not.toContain(c.secret()!)
      expect(Object.values(c).join(' ')).not.toContain(c.secret()!)
    }
    expect(String(basic)).toBe('RegistryCredentials(docker.io: basic alice from env REPO_USER)')
    expect(inspect(basic)).toContain("secret: '[redacted]'")
    expect(JSON.parse(JSON.stringify(basic))).toEqual({
      registry: 'docker.io',
      kind: 'basic',
      username: 'alice',
      source: { kind: 'env', description: 'env REPO_USER' },
      fingerprint: basic.fingerprint,
    })
  })

  it('fingerprint: stable, differs by secret, kind and username, not derived from the bare secret', () => {
    const again = createRegistryCredentials({
      registry: 'docker.io',
      kind: 'basic',
      username: 'alice',
      secret: SECRET,
    })
    const other = createRegistryCredentials({
      registry: 'docker.io',
      kind: 'basic',
      username: 'alice',
      secret: 'x',
    })
    const otherUser = createRegistryCredentials({
      registry: 'docker.io',
      kind: 'basic',
      username: 'al',
      secret: SECRET,
    })
    expect(basic.fingerprint).toBe(again.fingerprint)
    expect(basic.fingerprint).toMatch(/^sha256:[0-9a-f]{32}$/)
    expect(
      new Set([basic.fingerprint, other.fingerprint, otherUser.fingerprint, token.fingerprint]).size,
    ).toBe(4)
    expect(anonymousCredentials('ghcr.io').fingerprint).toBe('anonymous')
  })

  it('engineAuth: base64url JSON AuthConfig, padded, as dockerd decodes it', () => {
    expect(decodeEngineAuth(basic.engineAuth())).toEqual({
      username: 'alice',
      password: SECRET,
      serveraddress: 'https://index.docker.io/v1/',
    })
    expect(decodeEngineAuth(token.engineAuth())).toEqual({
      identitytoken: 'refresh-token-xyz',
      username: 'bob',
      serveraddress: '127.0.0.1:5000',
    })
    expect(decodeEngineAuth(basic.engineAuth('registry-1.docker.io'))).toMatchObject({
      serveraddress: 'registry-1.docker.io',
    })
    const anon = anonymousCredentials('ghcr.io')
    expect(anon.engineAuth()).toBe('e30=')
    expect(anon.secret()).toBeUndefined()
    expect(anon.username).toBeUndefined()
    expect(anon.basicAuthorization()).toBeUndefined()
    expect(anon.source.description).toBe('anonymous')
  })

  it('engineAuth uses the URL-safe alphabet where standard base64 would have + or /', () => {
    // '?>' encodes to '/' and '+' in the standard alphabet
    const c = createRegistryCredentials({
      registry: 'r.example',
      kind: 'basic',
      username: 'u',
      secret: '??>>??>>~~~',
    })
    const auth = c.engineAuth()
    expect(auth).not.toMatch(/[+/]/)
    expect(decodeEngineAuth(auth)).toMatchObject({ password: '??>>??>>~~~' })
  })
})
