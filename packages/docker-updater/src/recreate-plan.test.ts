import { describe, expect, it } from 'vitest'
import type { ContainerInspect, ImageInspect } from './engine.ts'
import { planRecreate, rewriteLink } from './recreate-plan.ts'

const ID = `abcdef123456${'0'.repeat(52)}`
const image: ImageInspect = {
  Id: 'sha256:old',
  Config: {
    Env: ['PATH=/bin', 'VERSION=1'],
    Labels: { 'org.opencontainers.image.version': '1', shared: 'x' },
    Cmd: ['run'],
    Entrypoint: null,
    WorkingDir: '/app',
    User: '',
    StopSignal: 'SIGQUIT',
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/data': {} },
    Healthcheck: { Test: ['CMD', 'check'], Interval: 1e9, Retries: 3 },
  },
}

function container(
  overrides: Partial<ContainerInspect> = {},
  host: Record<string, unknown> = {},
): ContainerInspect {
  return {
    Id: ID,
    Name: '/web',
    Created: '',
    Image: 'sha256:old',
    State: { Status: 'running', Running: true },
    Config: {
      Hostname: 'abcdef123456',
      Env: ['PATH=/bin', 'VERSION=1', 'MINE=1'],
      Labels: { 'org.opencontainers.image.version': '1', shared: 'x', mine: 'y' },
      Cmd: ['run'],
      Entrypoint: null,
      WorkingDir: '/app',
      StopSignal: 'SIGQUIT',
      ExposedPorts: { '80/tcp': {}, '9000/tcp': {} },
      Volumes: { '/data': {}, '/extra': {} },
      Healthcheck: { Test: ['CMD', 'check'], Interval: 5e9, Retries: 3 },
      Image: 'app:latest',
      MacAddress: '02:42:ac:11:00:99',
    },
    HostConfig: { NetworkMode: 'net1', PortBindings: { '8080/tcp': [{ HostPort: '8080' }] }, ...host },
    NetworkSettings: {
      Networks: {
        net1: {
          IPAMConfig: { IPv4Address: '10.1.0.5' },
          Aliases: ['web', 'abcdef123456'],
          NetworkID: 'n1',
          IPAddress: '10.1.0.5',
        },
        net2: {
          IPAMConfig: null,
          Aliases: null,
          NetworkID: 'n2',
          EndpointID: 'e',
          MacAddress: '02:42:0a:00:00:01',
        },
      },
    },
    ...overrides,
  }
}

describe('planRecreate (unit)', () => {
  it('drops what equals the old image, so the new image defaults win; keeps what the user set', () => {
    const { body } = planRecreate(container(), image)
    expect(body.Env).toEqual(['MINE=1'])
    expect(body.Labels).toEqual({ mine: 'y' })
    expect(body.Cmd).toBeUndefined()
    expect(body.WorkingDir).toBeUndefined()
    expect(body.StopSignal).toBeUndefined()
    expect(body.Healthcheck).toEqual({ Interval: 5e9 })
    expect(body.Volumes).toEqual({ '/extra': {} })
    expect(body.ExposedPorts).toEqual({ '9000/tcp': {}, '8080/tcp': {} })
    expect(body.Hostname).toBeUndefined() // engine-made from the old id
    expect(body.MacAddress).toBe('02:42:ac:11:00:99')
    expect(body.Image).toBe('app:latest')
  })

  it('creates with the primary network and connects the others, keeping only user settings', () => {
    const { body, extraNetworks } = planRecreate(container(), image)
    expect(body.NetworkingConfig).toEqual({
      EndpointsConfig: { net1: { IPAMConfig: { IPv4Address: '10.1.0.5' }, Aliases: ['web'] } },
    })
    expect(extraNetworks).toEqual([{ name: 'net2', endpoint: {} }])
  })

  it('from API 1.44: every network at create, the user MAC per endpoint (Config.MacAddress deprecated)', () => {
    const c = container()
    c.NetworkSettings.Networks!['net2']!.IPAddress = '10.0.0.1' // its MAC is the one the engine derives
    c.NetworkSettings.Networks!['net3'] = {
      IPAddress: '10.3.0.7',
      MacAddress: '02:42:aa:bb:cc:dd',
      Aliases: ['x'],
    }
    const { body, extraNetworks } = planRecreate(c, image, { apiVersion: '1.45' })
    expect(extraNetworks).toEqual([])
    expect(body.MacAddress).toBeUndefined()
    expect(body.NetworkingConfig).toEqual({
      EndpointsConfig: {
        net1: { IPAMConfig: { IPv4Address: '10.1.0.5' }, Aliases: ['web'], MacAddress: '02:42:ac:11:00:99' },
        net2: {},
        net3: { Aliases: ['x'], MacAddress: '02:42:aa:bb:cc:dd' },
      },
    })
    // below 1.44 nothing changes
    expect(planRecreate(c, image, { apiVersion: '1.43' }).extraNetworks.map((n) => n.name)).toEqual([
      'net2',
      'net3',
    ])
  })

  it('scrubs what conflicts with container: and host network modes, and follows the supplier by name', () => {
    const c = container({}, { NetworkMode: `container:${'f'.repeat(64)}`, Dns: ['1.1.1.1'] })
    c.Config.Hostname = 'custom'
    const { body, extraNetworks } = planRecreate(c, image, { nameOf: () => '/vpn' })
    expect(body.HostConfig?.NetworkMode).toBe('container:vpn')
    expect(body.Hostname).toBeUndefined()
    expect(body.MacAddress).toBeUndefined()
    expect(body.ExposedPorts).toEqual({})
    expect(body.HostConfig?.PortBindings).toEqual({})
    expect(body.HostConfig?.Dns).toEqual([])
    expect(body.NetworkingConfig).toBeUndefined()
    expect(extraNetworks).toEqual([])
    const hostMode = planRecreate(container({}, { NetworkMode: 'host' }), image)
    expect(hostMode.body.Hostname).toBeUndefined()
    expect(hostMode.body.NetworkingConfig).toBeUndefined()
  })

  it('keeps a user hostname and rewrites links to name:alias', () => {
    const c = container({}, { Links: ['/db:/web/database'] })
    c.Config.Hostname = 'myhost'
    const { body } = planRecreate(c, image)
    expect(body.Hostname).toBe('myhost')
    expect(body.HostConfig?.Links).toEqual(['db:database'])
    expect(rewriteLink('/cache')).toBe('cache')
  })

  it("moves compose v2's image-id label to the new image, and only when it named the old one", () => {
    const c = container()
    c.Config.Labels = { ...c.Config.Labels, 'com.docker.compose.image': 'sha256:old' }
    expect(
      planRecreate(c, image, { newImageId: 'sha256:new' }).body.Labels?.['com.docker.compose.image'],
    ).toBe('sha256:new')
    // no new id known (a dependant restarted): unchanged
    expect(planRecreate(c, image).body.Labels?.['com.docker.compose.image']).toBe('sha256:old')
    // the label names something else (set by hand): left alone
    c.Config.Labels['com.docker.compose.image'] = 'sha256:other'
    expect(
      planRecreate(c, image, { newImageId: 'sha256:new' }).body.Labels?.['com.docker.compose.image'],
    ).toBe('sha256:other')
  })

  it('without image info nothing is dropped (snapshot restore)', () => {
    const { body } = planRecreate(container(), undefined, { image: 'sha256:old' })
    expect(body.Env).toEqual(['PATH=/bin', 'VERSION=1', 'MINE=1'])
    expect(body.Image).toBe('sha256:old')
  })
})
