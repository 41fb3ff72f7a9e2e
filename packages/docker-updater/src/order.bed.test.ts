import { isolatedEngine } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, it } from 'vitest'
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
import type { ContainerInspect } from './engine.ts'
import { LABELS } from './labels.ts'
import { composeServices, dependenciesOf, sortByDependencies } from './order.ts'
import { runUpdate } from './run-update.ts'
import type { UpdateEvent } from './types.ts'

const P = uniqueName('wt-ord')
let isoHost: string | undefined
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
  if (isoHost) {
    await removeContainers(P, isoHost)
    await removeImages(P, isoHost)
  }
})

function c(
  name: string,
  opts: { links?: string[]; mode?: string; labels?: Record<string, string> } = {},
): ContainerInspect {
  return {
    Id: `${name}-id`.padEnd(64, '0'),
    Name: `/${name}`,
    Created: '',
    Image: 'sha256:x',
    State: { Status: 'running', Running: true },
    Config: { Labels: opts.labels ?? {} },
    HostConfig: { Links: opts.links ?? null, NetworkMode: opts.mode ?? 'default' },
    NetworkSettings: {},
  }
}

describe('dependency order (unit)', () => {
  it('collects links, container: network mode, depends-on and compose depends_on', () => {
    const db = c('db', { labels: { [LABELS.composeProject]: 'p', [LABELS.composeService]: 'database' } })
    const vpn = c('vpn')
    const web = c('web', {
      links: ['/db:/web/db'],
      mode: `container:${vpn.Id}`,
      labels: {
        [LABELS.dependsOn]: 'cache, /queue',
        [LABELS.composeProject]: 'p',
        [LABELS.composeDependsOn]: 'database:service_started:false',
      },
    })
    const all = [db, vpn, web]
    const deps = dependenciesOf(web, all, (id) => all.find((x) => x.Id === id)?.Name)
    expect(deps).toEqual(['cache', 'db', 'queue', 'vpn'])
    expect(composeServices('{"a":{"condition":"service_started"},"b":{"restart":true}}')).toEqual(['a', 'b'])
    expect(composeServices('{"a":{"condition":"service_started"},"b":{"restart":true}}', true)).toEqual(['b'])
    expect(composeServices('a:service_started:false,b:service_healthy:true', true)).toEqual(['b'])
  })

  it('sorts dependencies first and names the members of a cycle', () => {
    const a = c('a', { labels: { [LABELS.dependsOn]: 'b' } })
    const b = c('b', { labels: { [LABELS.dependsOn]: 'c' } })
    const cc = c('c')
    const names = (xs: ContainerInspect[]) => xs.map((x) => x.Name)
    const deps = (x: ContainerInspect) => dependenciesOf(x, [a, b, cc], () => undefined)
    expect(names(sortByDependencies([a, b, cc], deps))).toEqual(['/c', '/b', '/a'])
    const loop = c('c', { labels: { [LABELS.dependsOn]: 'a' } })
    expect(() =>
      sortByDependencies([a, b, loop], (x) => dependenciesOf(x, [a, b, loop], () => undefined)),
    ).toThrow(expect.objectContaining({ code: 'WT_UPDATER_DEPENDENCY_CYCLE', members: ['a', 'b', 'c'] }))
  })
})

describe('dependency order against the real engine', () => {
  const steps = (events: UpdateEvent[], step: string) =>
    events
      .filter((e) => e.type === 'step' && e.step === step)
      .map((e) => (e as { container: string }).container.slice(P.length + 1))

  it('restarts dependants (depends-on, container: network, compose depends_on with restart: true): stop dependants first, start dependencies first', async () => {
    const tag = `${P}-sup:latest`
    await buildImage(tag, 'v1')
    const n = (x: string) => `${P}-${x}`
    const run = (args: string[]) => docker(['run', '-d', ...args])
    await run([
      '--network',
      'none',
      '--name',
      n('sup'),
      '--label',
      `${LABELS.composeProject}=${P}`,
      '--label',
      `${LABELS.composeService}=sup`,
      tag,
    ])
    await run([
      '--network',
      'none',
      '--name',
      n('label'),
      '--label',
      `${LABELS.dependsOn}=${n('sup')}`,
      bed.images.v1,
    ])
    await run(['--network', `container:${n('sup')}`, '--name', n('netns'), bed.images.v1])
    await run([
      ...['--network', 'none', '--name', n('compose'), '--label', `${LABELS.composeProject}=${P}`],
      ...['--label', `${LABELS.composeDependsOn}=sup:service_started:true`, bed.images.v1],
    ])
    await run([
      ...['--network', 'none', '--name', n('compose-norestart'), '--label', `${LABELS.composeProject}=${P}`],
      ...['--label', `${LABELS.composeDependsOn}=sup:service_started:false`, bed.images.v1],
    ])
    await run(['--network', 'none', '--name', n('alone'), bed.images.v1])
    const newImage = await buildImage(tag, 'v2')
    const events: UpdateEvent[] = []
    const report = await runUpdate({
      engine: realEngine(),
      names: [`${P}-.*`],
      noPull: true,
      stopTimeoutMs: 5000,
      onEvent: (e) => events.push(e),
    })
    expect(report.containers.map((x) => [x.name.slice(P.length + 1), x.state])).toEqual([
      ['alone', 'fresh'],
      ['compose', 'restarted'],
      ['compose-norestart', 'fresh'],
      ['label', 'restarted'],
      ['netns', 'restarted'],
      ['sup', 'updated'],
    ])
    expect(steps(events, 'stop').at(-1)).toBe('sup')
    expect(steps(events, 'create')[0]).toBe('sup')
    expect(steps(events, 'create').sort()).toEqual(['compose', 'label', 'netns', 'sup'])
    const netns = await inspect(n('netns'))
    expect(netns.State.Running).toBe(true)
    expect(netns.HostConfig.NetworkMode).toMatch(/^container:/)
    expect((await inspect(n('sup'))).Image).toBe(newImage)
    expect(report.counts).toMatchObject({ updated: 1, restarted: 3, fresh: 2, failed: 0 })
  })

  it('also recreates container: network consumers outside the selection, unless disabled', async () => {
    const tag = `${P}-out-sup:latest`
    await buildImage(tag, 'v1')
    const sup = `${P}-sel-sup`
    await docker(['run', '-d', '--network', 'none', '--name', sup, tag])
    const consumer = `${P}-outside`
    await docker(['run', '-d', '--network', `container:${sup}`, '--name', consumer, bed.images.v1])
    const optOut = `${P}-optout`
    await docker([
      'run',
      '-d',
      '--network',
      `container:${sup}`,
      '--name',
      optOut,
      '--label',
      `${LABELS.enable}=false`,
      bed.images.v1,
    ])
    const optOutId = (await inspect(optOut)).Id
    await buildImage(tag, 'v2')
    const report = await runUpdate({
      engine: realEngine(),
      names: [`${P}-sel-.*`],
      noPull: true,
      stopTimeoutMs: 5000,
    })
    expect(report.containers.map((x) => [x.name, x.state])).toEqual([
      [consumer, 'restarted'],
      [sup, 'updated'],
    ])
    const after = await inspect(consumer)
    expect(after.State.Running).toBe(true)
    expect(after.HostConfig.NetworkMode).toBe(`container:${(await inspect(sup)).Id}`)
    expect((await inspect(optOut)).Id).toBe(optOutId)
  })

  it('a dependency cycle is an error naming its members', async () => {
    const n = (x: string) => `${P}-cyc-${x}`
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      n('a'),
      '--label',
      `${LABELS.dependsOn}=${n('b')}`,
      bed.images.v1,
    ])
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      n('b'),
      '--label',
      `${LABELS.dependsOn}=${n('a')}`,
      bed.images.v1,
    ])
    await expect(
      runUpdate({ engine: realEngine(), names: [`${P}-cyc-.*`], noPull: true }),
    ).rejects.toMatchObject({
      code: 'WT_UPDATER_DEPENDENCY_CYCLE',
      members: [n('a'), n('b')],
      message: expect.stringContaining(`${n('a')} → ${n('b')} → ${n('a')}`),
    })
  })

  it('rolling restart swaps one container completely before touching the next', async () => {
    const tags = [`${P}-roll1:latest`, `${P}-roll2:latest`]
    for (const [i, tag] of tags.entries()) {
      await buildImage(tag, 'v1')
      await docker(['run', '-d', '--network', 'none', '--name', `${P}-roll${i + 1}`, tag])
      await buildImage(tag, 'v2')
    }
    const events: UpdateEvent[] = []
    const report = await runUpdate({
      engine: realEngine(),
      names: [`${P}-roll.`],
      noPull: true,
      rollingRestart: true,
      stopTimeoutMs: 5000,
      onEvent: (e) => events.push(e),
    })
    expect(report.counts.updated).toBe(2)
    const seq = events
      .filter((e) => e.type === 'step' && ['rename', 'create', 'remove old'].includes(e.step))
      .map(
        (e) =>
          `${(e as { container: string }).container.slice(P.length + 1)}:${(e as { step: string }).step}`,
      )
    expect(seq).toEqual([
      'roll1:rename',
      'roll1:create',
      'roll1:remove old',
      'roll2:rename',
      'roll2:create',
      'roll2:remove old',
    ])
  })

  it('Docker links survive the recreation of both ends (isolated engine, default bridge)', async () => {
    const host = (await isolatedEngine(bed)).host
    isoHost = host
    const tag = `${P}-linked:latest`
    await buildImage(tag, 'v1', [], host)
    await docker(['run', '-d', '--name', `${P}-db`, tag], host)
    await docker(['run', '-d', '--name', `${P}-app`, '--link', `${P}-db:database`, bed.images.v1], host)
    const before = await inspect(`${P}-app`, host)
    await buildImage(tag, 'v2', [], host)
    const report = await runUpdate({
      engine: realEngine(host),
      names: [`${P}-(db|app)`],
      noPull: true,
      stopTimeoutMs: 5000,
    })
    expect(report.containers.map((x) => x.state)).toEqual(['restarted', 'updated'])
    const after = await inspect(`${P}-app`, host)
    expect(after.State.Running).toBe(true)
    expect(after.HostConfig.Links).toEqual(before.HostConfig.Links)
  })
})
