import { describe, expect, inject, it } from 'vitest'
import { basic, get } from './_test-util.ts'
import { dockerCli, pushImage, registryRequests, uniqueName } from './index.ts'
import type { RegistryName } from './types.ts'

const bed = inject('testbed')

describe('push and pull with the right credentials', () => {
  it.each(['open', 'basic', 'token'] as const)('%s registry: the engine pushes and pulls', async (name) => {
    const repository = uniqueName(`alice/smoke-${name}`)
    const pushed = await pushImage(bed, { registry: name, variant: 'v1', repository, tag: 'one' })
    expect(pushed.ref).toBe(`${bed.registries[name].host}/${repository}:one`)
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    await dockerCli(bed, ['rmi', pushed.ref], { reject: true })
    await dockerCli(bed, ['pull', pushed.ref], { reject: true })
    const inspect = await dockerCli(bed, [
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      pushed.ref,
    ])
    expect(JSON.parse(inspect.stdout)).toContain(
      `${bed.registries[name].host}/${repository}@${pushed.digest}`,
    )
    const requests = await registryRequests(bed, name, repository)
    expect(
      requests.some((r) => r.method === 'PUT' && r.path.includes('/manifests/one') && r.status === 201),
    ).toBe(true)
  })

  it.each(['expired', 'wronghost', 'mtls'] as const)(
    '%s registry serves what pushImage pushed',
    async (name) => {
      const repository = uniqueName(`alice/smoke-${name}`)
      const pushed = await pushImage(bed, { registry: name, variant: 'v2', repository, tag: 'x' })
      expect(pushed.ref).toBe(`${bed.registries[name].host}/${repository}:x`)
      // Read it over TLS as a client would (verification off: these certificates are bad on purpose).
      const res = await get(bed, `${bed.registries[name].url}/v2/${repository}/manifests/x`, {
        method: 'HEAD',
        clientCert: name === 'mtls',
        verify: name === 'mtls',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      })
      expect(res.status).toBe(200)
      expect(res.headers['docker-content-digest']).toBe(pushed.digest)
    },
  )

  it('the engine treats 127.0.0.0/8 registries as insecure: it pulls even past an expired certificate', async () => {
    const repository = uniqueName('alice/smoke-insecure')
    const pushed = await pushImage(bed, { registry: 'expired', variant: 'v1', repository, tag: 'x' })
    await dockerCli(bed, ['rmi', pushed.ref], { reject: true })
    await dockerCli(bed, ['pull', pushed.ref], { reject: true })
  })
})

describe('wrong credentials are refused', () => {
  it('basic registry answers 401 to a wrong password and 200 to the right one', async () => {
    const url = `${bed.registries.basic.url}/v2/`
    const wrong = await get(bed, url, { headers: { authorization: basic('alice', 'nope') } })
    expect(wrong.status).toBe(401)
    const { username, password } = bed.users.alice
    expect(password).toContain(':')
    const right = await get(bed, url, { headers: { authorization: basic(username, password) } })
    expect(right.status).toBe(200)
  })

  it('docker push with a wrong password fails on basic and token', async () => {
    for (const name of ['basic', 'token'] as RegistryName[]) {
      const repository = uniqueName('alice/wrong')
      const ref = `${bed.registries[name].host}/${repository}:x`
      await dockerCli(bed, ['tag', bed.images.v1, ref], { reject: true })
      const login = await dockerCli(
        bed,
        ['login', '--username', 'alice', '--password-stdin', bed.registries[name].host],
        {
          input: 'wrong-password',
          dockerConfig: `${bed.dir}/no-such-config-${repository.replace('/', '-')}`,
        },
      )
      expect(login.code).not.toBe(0)
      expect(login.stderr).toMatch(/401|unauthorized|incorrect/i)
      await dockerCli(bed, ['rmi', ref])
    }
  })
})
