import { describe, expect, it } from 'vitest'
import { hostnameOf, isLoopbackHost, matchesHostList, normalizeHostPort, resolvesToLoopback } from './host.ts'

describe('normalizeHostPort', () => {
  it.each([
    ['Registry.Example.COM:5000', 'registry.example.com:5000'],
    ['127.0.0.1:5443', '127.0.0.1:5443'],
    ['https://r.example:5000/v2/', 'r.example:5000'],
    ['https://auth.example/token?service=x', 'auth.example'],
    ['::1', '[::1]'],
    ['[::1]:5000', '[::1]:5000'],
    ['localhost/', 'localhost'],
  ])('%s → %s', (input, out) => {
    expect(normalizeHostPort(input)).toBe(out)
  })

  it.each(['', 'a b', 'host/path', 'host:port', 'http://'])('rejects %j naming what it is', (input) => {
    expect(() => normalizeHostPort(input, '--insecure-registry')).toThrow(
      expect.objectContaining({
        code: 'WT_TLS_INVALID_HOST',
        message: expect.stringContaining('--insecure-registry'),
      }),
    )
  })
})

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['localhost:5000', false],
    ['[::1]:5000', true],
    ['::1', true],
    ['[::ffff:127.0.0.1]:5000', true],
    ['128.0.0.1', false],
    ['10.0.0.1:5000', false],
    ['registry.example.com', false],
    ['127.0.0.1.example.com', false],
    ['[::2]', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback)
  })
})

describe('resolvesToLoopback', () => {
  const lookup =
    (addresses: string[]) =>
    async (_name: string): Promise<{ address: string }[]> =>
      addresses.map((address) => ({ address }))

  it('takes literal loopback addresses as they are, never asking the resolver', async () => {
    const never = async () => {
      throw new Error('no lookup for a literal address')
    }
    expect(await resolvesToLoopback('127.0.0.1:5000', never)).toBe(true)
    expect(await resolvesToLoopback('[::1]:5000', never)).toBe(true)
    expect(await resolvesToLoopback('10.0.0.1:5000', never)).toBe(false)
  })

  it('counts localhost names only when every address they resolve to is loopback', async () => {
    expect(await resolvesToLoopback('localhost:5000', lookup(['127.0.0.1', '::1']))).toBe(true)
    expect(await resolvesToLoopback('evil.localhost:5000', lookup(['203.0.113.7']))).toBe(false)
    expect(await resolvesToLoopback('mixed.localhost', lookup(['127.0.0.1', '203.0.113.7']))).toBe(false)
    expect(await resolvesToLoopback('gone.localhost', lookup([]))).toBe(false)
    const failing = async () => {
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
    }
    expect(await resolvesToLoopback('x.localhost', failing)).toBe(false)
  })

  it('never resolves other names to find loopback', async () => {
    expect(await resolvesToLoopback('registry.example.com', lookup(['127.0.0.1']))).toBe(false)
  })

  it('uses the real resolver by default: localhost is loopback on this machine', async () => {
    expect(await resolvesToLoopback('localhost:5000')).toBe(true)
  })
})

describe('matchesHostList', () => {
  const list = ['reg.example:5000', 'other.example', '[::1]']
  it.each([
    ['reg.example:5000', true],
    ['reg.example:5001', false],
    ['reg.example', false],
    ['other.example', true],
    ['other.example:443', true],
    ['[::1]:5000', true],
    ['third.example', false],
  ])('%s → %s', (host, listed) => {
    expect(matchesHostList(host, list)).toBe(listed)
  })

  it('hostnameOf strips the port and IPv6 brackets', () => {
    expect([hostnameOf('a:1'), hostnameOf('[::1]:2'), hostnameOf('a')]).toEqual(['a', '::1', 'a'])
  })
})
