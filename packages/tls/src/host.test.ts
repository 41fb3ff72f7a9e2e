import { describe, expect, it } from 'vitest'
import { hostnameOf, isLoopbackHost, matchesHostList, normalizeHostPort } from './host.ts'

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
    ['localhost:5000', true],
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
