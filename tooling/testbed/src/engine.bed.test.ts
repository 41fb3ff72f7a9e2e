import { describe, expect, inject, it } from 'vitest'
import { run } from './_util.ts'
import { dockerCli, isolatedEngine, modernEngine, pushImage, uniqueName } from './index.ts'

const bed = inject('testbed')

describe('engines', () => {
  it('the main engine answers with the recorded API version and has both images', async () => {
    const v = await dockerCli(bed, ['version', '--format', '{{.Server.APIVersion}}'], { reject: true })
    expect(v.stdout.trim()).toBe(bed.docker.apiVersion)
    for (const variant of ['v1', 'v2'] as const) {
      const out = await dockerCli(
        bed,
        ['run', '--rm', '--network', 'none', bed.images[variant], 'cat', '/version'],
        {
          reject: true,
        },
      )
      expect(out.stdout.trim()).toBe(variant)
    }
  })
})

describe.each([
  { kind: '20', start: isolatedEngine, api: '1.41' },
  { kind: '26', start: modernEngine, api: '1.45' },
] as const)('isolated engine $kind', ({ kind, start, api }) => {
  it('runs bridge networking and pulls from the open registry in its namespace', async () => {
    const iso = await start(bed)
    expect(await start(bed)).toEqual(iso)
    expect([iso.kind, iso.apiVersion]).toEqual([kind, api])
    expect(iso.registryHost).toBe(bed.registries.open.host)
    const repository = uniqueName('alice/iso')
    const pushed = await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: 'x' })
    await dockerCli(bed, ['pull', pushed.ref], { host: iso.host, reject: true })
    const net = uniqueName('wt-net')
    await dockerCli(bed, ['network', 'create', net], { host: iso.host, reject: true })
    try {
      const out = await dockerCli(
        bed,
        ['run', '--rm', '--network', net, pushed.ref, 'sh', '-c', 'cat /version; ip -4 addr'],
        {
          host: iso.host,
          reject: true,
        },
      )
      expect(out.stdout).toContain('v2')
      expect(out.stdout).toMatch(/inet 172\.|inet 10\.|inet 192\.168\./)
      // Containers reach the namespace's registry at the bridge gateway; the engine pulls from it too.
      const viaBridge = `${iso.registryBridgeHost}/${repository}:x`
      await dockerCli(bed, ['pull', viaBridge], { host: iso.host, reject: true })
      const fetched = await dockerCli(
        bed,
        [
          'run',
          '--rm',
          '--network',
          net,
          pushed.ref,
          'wget',
          '-q',
          '-O',
          '-',
          `http://${iso.registryBridgeHost}/v2/`,
        ],
        { host: iso.host, reject: true },
      )
      expect(fetched.stdout.trim()).toBe('{}')
      await dockerCli(bed, ['rmi', viaBridge, pushed.ref], { host: iso.host })
    } finally {
      await dockerCli(bed, ['network', 'rm', net], { host: iso.host })
    }
  })

  it("tlsHost is dockerd's own --tlsverify listener: a client certificate of the bed's CA gets in, none is refused by dockerd", async () => {
    const iso = await start(bed)
    expect(iso.tlsHost).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const tls = ['--tlsverify', '--tlscacert', bed.tls.caCert]
    const withCert = await dockerCli(
      bed,
      [
        ...tls,
        '--tlscert',
        bed.tls.clientCert,
        '--tlskey',
        bed.tls.clientKey,
        'version',
        '--format',
        '{{.Server.APIVersion}}',
      ],
      { host: iso.tlsHost, reject: true },
    )
    expect(withCert.stdout.trim()).toBe(api)
    // no client certificate: dockerd's handshake refuses it (not the forwarders, which only pipe bytes)
    const none = await dockerCli(bed, [...tls, 'version', '--format', '{{.Server.APIVersion}}'], {
      host: iso.tlsHost,
    })
    expect(none.code).not.toBe(0)
    expect(none.stderr).toMatch(/tls: (bad certificate|certificate required)/)
  })
})

describe('pass store', () => {
  it('docker-credential-pass stores and reads back a credential', async () => {
    const server = `https://${uniqueName('pass')}.example.invalid`
    const env = { ...process.env, ...bed.pass.env }
    const store = await run('docker-credential-pass', ['store'], {
      env,
      input: JSON.stringify({ ServerURL: server, Username: 'alice', Secret: 's3cret' }),
    })
    expect(store.code, store.stderr).toBe(0)
    const got = await run('docker-credential-pass', ['get'], { env, input: server })
    expect(JSON.parse(got.stdout)).toMatchObject({ Username: 'alice', Secret: 's3cret' })
    await run('docker-credential-pass', ['erase'], { env, input: server })
  })
})
