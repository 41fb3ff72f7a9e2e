import { isolatedEngine, modernEngine } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bed,
  buildImage,
  docker,
  inspect,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { runUpdate } from './run-update.ts'

// Recreate fidelity on both isolated engines, 20.10 (API 1.41: create, then connect) and 26.1
// (API 1.45: every network at create, per-endpoint MAC): bridge and user-defined networks exist only
// in their network namespaces. docker inspect before and after an update, equal except what must change.
describe.each([
  { kind: '20', start: isolatedEngine },
  { kind: '26', start: modernEngine },
] as const)('recreate fidelity on engine $kind', ({ kind, start }) => {
  const P = uniqueName(`wt-fid${kind}`)
  const TAG = `${P}-img:latest`
  const NET = `${P}-net`
  const NET2 = `${P}-net2`
  const octet = 100 + Math.floor(Math.random() * 150)
  const SUBNET = `10.${octet}.${Math.floor(Math.random() * 250)}.0/24`
  const STATIC_IP = SUBNET.replace(/0\/24$/, '77')
  const MAC_IP = SUBNET.replace(/0\/24$/, '78')
  const MAC = '02:42:ac:11:00:99'
  const MAC2 = '02:42:ac:11:00:98'
  const HOST_PORT = String(20_000 + Math.floor(Math.random() * 20_000))
  let host = ''
  const d = (args: string[]) => docker(args, host)

  const imageLines = (v: 1 | 2) => [
    `ENV APP_VERSION=${v} KEEP_ME=image${v}`,
    `LABEL org.opencontainers.image.version=${v} shared.label=same`,
    `STOPSIGNAL SIGUSR${v}`,
    `HEALTHCHECK --interval=${v}s --timeout=5s --retries=${v + 1} CMD true`,
    'EXPOSE 8080',
    'VOLUME /data',
    `WORKDIR /w${v}`,
  ]

  /** The options under test: 30+ distinct `docker run` options. */
  const RUN_OPTIONS = [
    ['--hostname', 'fid-host'],
    ['--domainname', 'example.invalid'],
    ['--user', '1000:1000'],
    ['--env', 'USER_VAR=x'],
    ['--env', 'KEEP_ME=user'],
    ['--label', 'user.label=1'],
    ['--label', 'com.docker.compose.project=proj'],
    ['--label', 'com.docker.compose.service=svc'],
    ['--label', 'com.docker.compose.config-hash=abc123'],
    ['--workdir', '/custom'],
    ['--stop-signal', 'SIGINT'],
    ['--stop-timeout', '7'],
    ['--restart', 'on-failure:3'],
    ['--memory', '64m'],
    ['--memory-reservation', '32m'],
    ['--cpu-shares', '512'],
    ['--cpus', '0.5'],
    ['--pids-limit', '100'],
    ['--cap-add', 'NET_ADMIN'],
    ['--cap-drop', 'MKNOD'],
    ['--device', '/dev/null:/dev/xnull:rw'],
    ['--log-driver', 'json-file'],
    ['--log-opt', 'max-size=1m'],
    ['--tmpfs', '/run:size=1m'],
    ['--ulimit', 'nofile=1024:2048'],
    ['--sysctl', 'net.ipv4.tcp_keepalive_time=600'],
    ['--read-only'],
    ['--security-opt', 'no-new-privileges'],
    ['--add-host', 'peer.invalid:127.0.0.2'],
    ['--dns', '127.0.0.53'],
    ['--dns-search', 'example.invalid'],
    ['--volume', `${P}-named:/named`],
    ['--mount', `type=volume,src=${P}-vol2,dst=/v2`],
    ['--publish', `127.0.0.1:${HOST_PORT}:8080`],
    ['--health-cmd', 'true'],
    ['--health-interval', '3s'],
    ['--network', NET],
    ['--ip', STATIC_IP],
    ['--network-alias', 'fid-alias'],
    ['--init'],
    ['--shm-size', '32m'],
    ['--oom-score-adj', '100'],
    ['--group-add', '10'],
    ['--tty'],
    ['--interactive'],
  ]

  beforeAll(async () => {
    host = (await start(bed)).host
    await buildImage(TAG, 'v1', imageLines(1), host)
    await d(['network', 'create', '--subnet', SUBNET, NET])
    await d(['network', 'create', NET2])
  })
  afterAll(async () => {
    await removeContainers(P, host)
    await removeImages(P, host)
    await docker(['network', 'rm', NET, NET2], host).catch(() => undefined)
    await docker(['volume', 'rm', `${P}-named`, `${P}-vol2`], host).catch(() => undefined)
  })

  type Inspect = Awaited<ReturnType<typeof inspect>>

  /** Deletes what must differ between two incarnations of one container. */
  function stable(c: Inspect): Record<string, unknown> {
    // biome-ignore lint/suspicious/noExplicitAny: free-form inspect JSON, edited in place
    const x = structuredClone(c) as Record<string, any>
    for (const k of [
      'Id',
      'Created',
      'State',
      'Image',
      'ResolvConfPath',
      'HostnamePath',
      'HostsPath',
      'LogPath',
    ])
      delete x[k]
    delete x.GraphDriver
    delete x.RestartCount
    // runtime state like State: the execs in flight when inspected (the 3 s healthcheck's exec)
    delete x.ExecIDs
    x.Mounts = (x.Mounts as Array<Record<string, unknown>>)
      .map((m) =>
        /^[0-9a-f]{64}$/.test(String(m.Name)) ? { ...m, Name: '<anonymous>', Source: '<anonymous>' } : m,
      )
      .sort((a, b) => String(a.Destination).localeCompare(String(b.Destination)))
    const ns = x.NetworkSettings
    for (const k of ['SandboxID', 'SandboxKey', 'EndpointID', 'HairpinMode', 'LinkLocalIPv6Address'])
      delete ns[k]
    for (const [name, net] of Object.entries(ns.Networks as Record<string, Record<string, unknown>>)) {
      delete net.EndpointID
      delete net.DNSNames // API 1.44+: names the engine gives (the short id among them)
      net.Aliases = ((net.Aliases as string[] | null) ?? []).filter((a) => !c.Id.startsWith(a))
      if (name !== NET) {
        // dynamic address and engine-made MAC on the secondary network
        for (const k of ['IPAddress', 'MacAddress', 'GlobalIPv6Address']) delete net[k]
      }
    }
    if (ns.Networks[NET]) {
      delete ns.IPAddress
      delete ns.MacAddress
    }
    return x
  }

  describe('user-defined networks', () => {
    it('keeps 40+ run options, networks with alias / static IP / MAC, while new image defaults win', async () => {
      const full = `${P}-full`
      await d(['run', '-d', '--name', full, ...RUN_OPTIONS.flat(), TAG])
      await d(['network', 'connect', '--alias', 'second-alias', NET2, full])
      const plain = `${P}-plain`
      await d(['run', '-d', '--name', plain, '--network', NET, TAG])
      // docker CLI 28 cannot set a MAC against API 1.41: the user-set MAC comes through the API.
      const mac = `${P}-mac`
      const engine = realEngine(host)
      // API 1.44+: the MAC is per endpoint (Config.MacAddress is deprecated), and a second network
      // with its own user-set MAC can be given at create.
      const macId = await engine.createContainer(
        mac,
        kind === '20'
          ? {
              Image: TAG,
              MacAddress: MAC,
              HostConfig: { NetworkMode: NET },
              NetworkingConfig: { EndpointsConfig: { [NET]: { IPAMConfig: { IPv4Address: MAC_IP } } } },
            }
          : {
              Image: TAG,
              HostConfig: { NetworkMode: NET },
              NetworkingConfig: {
                EndpointsConfig: {
                  [NET]: { IPAMConfig: { IPv4Address: MAC_IP }, MacAddress: MAC },
                  [NET2]: { MacAddress: MAC2, Aliases: ['mac-second'] },
                },
              },
            },
      )
      await engine.startContainer(macId)
      const sidecar = `${P}-sidecar`
      await d(['run', '-d', '--name', sidecar, '--network', `container:${full}`, TAG])
      const before = { full: await inspect(full, host), plain: await inspect(plain, host) }
      const newImage = await buildImage(TAG, 'v2', imageLines(2), host)

      const report = await runUpdate({
        engine: realEngine(host),
        names: [`${P}-.*`],
        noPull: true,
        stopTimeoutMs: 3000,
        pollIntervalMs: 200,
      })
      expect(report.containers.map((c) => [c.name.slice(P.length + 1), c.state, c.error])).toEqual([
        ['full', 'updated', undefined],
        ['mac', 'updated', undefined],
        ['plain', 'updated', undefined],
        ['sidecar', 'updated', undefined],
      ])
      const after = { full: await inspect(full, host), plain: await inspect(plain, host) }
      expect(after.full.Image).toBe(newImage)
      expect(after.full.State.Running).toBe(true)
      expect((await inspect(sidecar, host)).State.Running).toBe(true)

      // What the new image changed and the user did not set follows the new image.
      const env = (c: Inspect) => c.Config.Env ?? []
      expect(env(after.full)).toEqual(expect.arrayContaining(['APP_VERSION=2', 'KEEP_ME=user', 'USER_VAR=x']))
      expect(after.full.Config.Labels).toMatchObject({
        'org.opencontainers.image.version': '2',
        'user.label': '1',
        'com.docker.compose.config-hash': 'abc123',
      })
      // user's healthcheck command and interval kept; the retries it did not set come from the new image
      expect(after.full.Config.Healthcheck).toEqual({
        Test: ['CMD-SHELL', 'true'],
        Interval: 3e9,
        Timeout: 5e9,
        Retries: 3,
      })
      expect(env(after.plain)).toEqual(expect.arrayContaining(['APP_VERSION=2', 'KEEP_ME=image2']))
      expect(after.plain.Config).toMatchObject({
        StopSignal: 'SIGUSR2',
        WorkingDir: '/w2',
        Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Retries: 3 },
      })
      expect(after.plain.Config.Hostname).toBe(after.plain.Id.slice(0, 12))

      // Everything else is equal.
      const withoutImageDefaults = (c: Inspect) => {
        // biome-ignore lint/suspicious/noExplicitAny: free-form inspect JSON, edited in place
        const x = stable(c) as Record<string, any>
        x.Config.Env = env(c).filter((e) => !/^(APP_VERSION|KEEP_ME)=/.test(e) || e === 'KEEP_ME=user')
        delete x.Config.Labels['org.opencontainers.image.version']
        delete x.Config.Labels['wt.test.unique']
        delete x.Config.Labels['wt-testbed.variant']
        if (x.Config.Healthcheck) delete x.Config.Healthcheck.Retries
        return x
      }
      expect(withoutImageDefaults(after.full)).toEqual(withoutImageDefaults(before.full))
      const plainStable = (c: Inspect) => {
        const x = withoutImageDefaults(c)
        for (const k of ['StopSignal', 'WorkingDir', 'Healthcheck', 'Hostname']) delete x.Config[k]
        return x
      }
      expect(plainStable(after.plain)).toEqual(plainStable(before.plain))
      const net = after.full.NetworkSettings.Networks
      expect(net[NET]).toMatchObject({ IPAddress: STATIC_IP })
      const macAfter = await inspect(mac, host)
      expect(macAfter.Image).toBe(newImage)
      expect(macAfter.NetworkSettings.Networks[NET]).toMatchObject({ IPAddress: MAC_IP, MacAddress: MAC })
      if (kind === '26') {
        expect(macAfter.NetworkSettings.Networks[NET2]).toMatchObject({ MacAddress: MAC2 })
        expect(macAfter.NetworkSettings.Networks[NET2]?.Aliases).toContain('mac-second')
      }
      expect(net[NET]?.Aliases).toContain('fid-alias')
      expect(net[NET2]?.Aliases).toContain('second-alias')
    })
  })
})
