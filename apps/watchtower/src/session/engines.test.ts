import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import {
  certPathFor,
  contextEndpoint,
  type EngineFiles,
  isContextName,
  knownKeys,
  readContext,
  sshLogin,
} from './engines.ts'

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

  it('a context reaches its engine as the docker CLI does: TLS with its folder, plain without; skip-tls-verify and a partial folder are refused by name', () => {
    const root = '/cfg/contexts'
    const ctx = (name: string, docker: object, tlsFiles: string[] = []) => {
      const id = createHash('sha256').update(name).digest('hex')
      const tls = join(root, 'tls', id, 'docker')
      return {
        meta: {
          [join(root, 'meta', id, 'meta.json')]: JSON.stringify({ Name: name, Endpoints: { docker } }),
        },
        tls,
        files: Object.fromEntries(tlsFiles.map((f) => [join(tls, f), 'PEM'])),
      }
    }
    // what `docker context create NAME --docker host=…,ca=…,cert=…,key=…` (and skip-tls-verify=true) writes
    const full = ctx('full', { Host: 'tcp://10.0.0.5:2376', SkipTLSVerify: false }, [
      'ca.pem',
      'cert.pem',
      'key.pem',
    ])
    const plain = ctx('plain', { Host: 'tcp://10.0.0.6:2375', SkipTLSVerify: false })
    const skip = ctx('skip', { Host: 'tcp://10.0.0.7:2376', SkipTLSVerify: true })
    const caOnly = ctx('ca-only', { Host: 'tcp://10.0.0.8:2376', SkipTLSVerify: false }, ['ca.pem'])
    const all = [full, plain, skip, caOnly]
    const f = files(Object.assign({}, ...all.map((c) => ({ ...c.meta, ...c.files }))), [full.tls, caOnly.tls])
    const env = { DOCKER_CONFIG: '/cfg' }
    expect(contextEndpoint('full', env, f)).toEqual({
      url: 'tcp://10.0.0.5:2376',
      tlsVerify: true,
      certPath: full.tls,
    })
    expect(contextEndpoint('plain', env, f)).toEqual({ url: 'tcp://10.0.0.6:2375', tlsVerify: false })
    expect(() => contextEndpoint('skip', env, f)).toThrow(
      /docker context skip skips TLS verification \(SkipTLSVerify/,
    )
    expect(() => contextEndpoint('skip', env, f)).toThrow(ConfigError)
    expect(() => contextEndpoint('ca-only', env, f)).toThrow(
      `docker context ca-only has no cert.pem, key.pem in ${caOnly.tls}`,
    )
  })

  it("`default` is the docker CLI's built-in context: DOCKER_HOST or the local socket, TLS from DOCKER_TLS_VERIFY", () => {
    const none = files({})
    expect(contextEndpoint('default', {}, none)).toEqual({
      url: 'unix:///var/run/docker.sock',
      tlsVerify: false,
    })
    expect(contextEndpoint('default', { DOCKER_HOST: 'tcp://10.0.0.9:2375' }, none)).toEqual({
      url: 'tcp://10.0.0.9:2375',
      tlsVerify: false,
    })
    expect(
      contextEndpoint(
        'default',
        { DOCKER_HOST: 'tcp://10.0.0.9:2376', DOCKER_TLS_VERIFY: '1', HOME: '/home/u' },
        none,
      ),
    ).toEqual({ url: 'tcp://10.0.0.9:2376', tlsVerify: true, certPath: '/home/u/.docker' })
    expect(
      contextEndpoint(
        'default',
        { DOCKER_HOST: 'tcp://10.0.0.9:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
        none,
      ),
    ).toEqual({ url: 'tcp://10.0.0.9:2376', tlsVerify: true, certPath: '/certs' })
    expect(
      contextEndpoint('default', { DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: '/cfg', HOME: '/home/u' }, none),
    ).toEqual({ url: 'unix:///var/run/docker.sock', tlsVerify: true, certPath: '/cfg' })
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
