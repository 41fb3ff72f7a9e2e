import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { certPathFor, type EngineFiles, isContextName, knownKeys, readContext, sshLogin } from './engines.ts'

// How --host values become engines: file layouts (docker contexts, a cert folder per host,
// known_hosts) over an in-memory file map. The real engines are reached in fleet.e2e.test.ts.

function files(map: Record<string, string>, dirs: string[] = []): EngineFiles {
  return {
    readFile: (p) => {
      if (!(p in map)) throw new Error(`ENOENT ${p}`)
      return Buffer.from(map[p]!)
    },
    isDir: (p) => dirs.includes(p),
    exists: (p) => p in map,
  }
}

const KEY = Buffer.from('ssh-ed25519-host-key-blob').toString('base64')

describe('--host values', () => {
  it('a value without scheme or port is a docker context name', () => {
    expect(['prod', 'edge-1'].map(isContextName)).toEqual([true, true])
    expect(['unix:///x.sock', 'h:2376', 'ssh://u@h', '/x.sock'].map(isContextName)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })

  it('a docker context: its endpoint from meta.json, its certificates from the tls folder', () => {
    const id = createHash('sha256').update('prod').digest('hex')
    const root = '/home/u/.docker/contexts'
    const f = files(
      {
        [join(root, 'meta', id, 'meta.json')]: JSON.stringify({
          Name: 'prod',
          Endpoints: { docker: { Host: 'tcp://10.0.0.5:2376' } },
        }),
      },
      [join(root, 'tls', id, 'docker')],
    )
    expect(readContext('prod', { HOME: '/home/u' }, f)).toEqual({
      host: 'tcp://10.0.0.5:2376',
      certPath: join(root, 'tls', id, 'docker'),
      skipTlsVerify: false,
    })
    expect(() => readContext('nope', { HOME: '/home/u' }, f)).toThrow(ConfigError)
  })

  it('--cert-path with a folder per engine (HOST:PORT or HOST), else the folder itself', () => {
    const f = files({}, ['/certs/h1:2376', '/certs/h2'])
    expect(certPathFor('/certs', 'tcp://h1:2376', f)).toBe('/certs/h1:2376')
    expect(certPathFor('/certs', 'tcp://h2:2376', f)).toBe('/certs/h2')
    expect(certPathFor('/certs', 'tcp://h3:2376', f)).toBe('/certs')
  })

  it('known_hosts: plain and hashed entries, [host]:port for another port than 22', () => {
    const salt = Buffer.from('0123456789abcdef0123')
    const hashed = createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64')
    const text = [
      `# comment`,
      `other.example ssh-ed25519 ${Buffer.from('x').toString('base64')}`,
      `|1|${salt.toString('base64')}|${hashed} ssh-ed25519 ${KEY}`,
      `gw.example,10.0.0.9 ssh-ed25519 ${KEY}`,
    ].join('\n')
    expect(knownKeys(text, '127.0.0.1', '2222')).toEqual([Buffer.from(KEY, 'base64')])
    expect(knownKeys(text, '10.0.0.9', '22')).toEqual([Buffer.from(KEY, 'base64')])
    expect(knownKeys(text, '127.0.0.1', '22')).toEqual([])
  })

  it('ssh: a key from ~/.ssh and the host key from known_hosts; an unknown host is refused, naming no key', () => {
    const f = files({
      '/home/u/.ssh/id_ed25519': 'PRIVATE KEY TEXT',
      '/home/u/.ssh/known_hosts': `[127.0.0.1]:2222 ssh-ed25519 ${KEY}`,
    })
    const login = sshLogin('ssh://u@127.0.0.1:2222', { HOME: '/home/u' }, f)
    expect(login.privateKey?.toString()).toBe('PRIVATE KEY TEXT')
    expect(login.hostVerifier?.(Buffer.from(KEY, 'base64'))).toBe(true)
    expect(login.hostVerifier?.(Buffer.from('other'))).toBe(false)
    let err: unknown
    try {
      sshLogin('ssh://u@127.0.0.1:2223', { HOME: '/home/u' }, f)
    } catch (e) {
      err = e
    }
    expect((err as Error).message).toMatch(/not in ~\/.ssh\/known_hosts .*ssh-keyscan -p 2223 127.0.0.1/)
    expect((err as Error).message).not.toContain('PRIVATE')
  })
})
