import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { CredentialsError } from './errors.ts'
import { isDockerHub, normalizeRegistryKey, serverUrlFor } from './normalize.ts'

describe('normalizeRegistryKey', () => {
  it.each([
    // Docker Hub under every spelling users and `docker login` write
    ['https://index.docker.io/v1/', 'docker.io'],
    ['http://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://registry-1.docker.io', 'docker.io'],
    ['Index.Docker.IO', 'docker.io'],
    // the reference doc's local-registry examples: localhost[:PORT], HOST:PORT, IPs, multi-part domains
    ['localhost', 'localhost'],
    ['localhost:5000', 'localhost:5000'],
    ['127.0.0.1', '127.0.0.1'],
    ['127.0.0.1:5443', '127.0.0.1:5443'],
    ['host.domain', 'host.domain'],
    ['other-lan-host:80', 'other-lan-host:80'],
    ['my-private-registry.example.org', 'my-private-registry.example.org'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
    ['[::1]:5000', '[::1]:5000'],
    // legacy keys with scheme and path
    ['https://my-private-registry.example.org/v1/', 'my-private-registry.example.org'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['https://ghcr.io', 'ghcr.io'],
    ['  ghcr.io  ', 'ghcr.io'],
    // what an image reference's host part can be
    ['localhost/myimage'.split('/')[0]!, 'localhost'],
    ['host.domain/myorganization/myimage', 'host.domain'],
  ])('%s → %s', (key, expected) => {
    expect(normalizeRegistryKey(key)).toBe(expected)
  })

  it.each(['', '   ', 'https://', 'user@host', 'a b', 'host:port', 'https:///v1/'])(
    'refuses %j with a typed error naming the input',
    (key) => {
      const error = (() => {
        try {
          normalizeRegistryKey(key)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(CredentialsError)
      expect((error as CredentialsError).code).toBe('WT_CREDENTIALS_INVALID_REGISTRY')
      // user-info is masked, everything else is shown as given
      expect((error as CredentialsError).message).toContain(JSON.stringify(key.replace(/^user@/, '***@')))
    },
  )

  it('server URL for helpers: Hub gets the legacy URL, others the bare host', () => {
    expect(serverUrlFor('docker.io')).toBe('https://index.docker.io/v1/')
    expect(serverUrlFor('index.docker.io')).toBe('https://index.docker.io/v1/')
    expect(serverUrlFor('https://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000')
    expect(isDockerHub('registry-1.docker.io')).toBe(true)
    expect(isDockerHub('docker.io.example.com')).toBe(false)
  })
})

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
  fc.ipV4(),
  fc.constant('localhost'),
)
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
const hostPort = fc.tuple(host, port).map(([h, p]) => (p === undefined ? h : `${h}:${p}`))
const path = fc.array(fc.stringMatching(/^[a-zA-Z0-9._-]{1,8}$/), { maxLength: 3 }).map((s) => s.join('/'))

describe('normalizeRegistryKey properties', () => {
  test.prop([hostPort])('is idempotent', (key) => {
    const once = normalizeRegistryKey(key)
    expect(normalizeRegistryKey(once)).toBe(once)
  })

  test.prop([hostPort, fc.constantFrom('', 'http://', 'https://', 'HTTPS://'), path, fc.boolean()])(
    'ignores scheme, path and trailing slash of legacy keys',
    (key, scheme, rest, slash) => {
      const legacy = `${scheme}${key}${rest ? `/${rest}` : ''}${slash ? '/' : ''}`
      expect(normalizeRegistryKey(legacy)).toBe(normalizeRegistryKey(key))
    },
  )

  test.prop([hostPort])('keeps the port and lower-cases the host', (key) => {
    const normalized = normalizeRegistryKey(key.toUpperCase())
    const isHub = [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'registry.hub.docker.com',
    ].includes(key)
    expect(normalized).toBe(isHub ? 'docker.io' : key.toLowerCase())
  })

  test.prop([
    fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io'),
    fc.constantFrom('', 'https://', 'http://'),
    path,
  ])('every Hub spelling is docker.io', (hub, scheme, rest) => {
    expect(normalizeRegistryKey(`${scheme}${hub}/${rest}`)).toBe('docker.io')
  })

  test.prop([fc.string()])('never throws anything but CredentialsError', (key) => {
    try {
      const out = normalizeRegistryKey(key)
      expect(out).not.toMatch(/[/\s]/)
    } catch (error) {
      expect(error).toBeInstanceOf(CredentialsError)
    }
  })
})
