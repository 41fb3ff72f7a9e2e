import { type IsolatedEngine, isolatedEngine, modernEngine } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bed,
  buildImage,
  containersNamed,
  docker,
  inspect,
  inspectImageId,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { LABELS } from './labels.ts'
import { runUpdate } from './run-update.ts'
import { completeSelfUpdate, settleSelfUpdate } from './self-update.ts'
import type { UpdateEvent, UpdateOptions } from './types.ts'

// The one self-update design (self-update.ts) on both isolated engines (20.10 and 26.1): published
// ports and user-defined networks exist only in their namespaces. The helper container here runs
// `sleep` (these images have no updater in them); the test runs its part, completeSelfUpdate, in
// process, as the app's `--self-update-helper` does inside the real image (apps/watchtower e2e).
describe.each([
  { kind: '20', start: isolatedEngine },
  { kind: '26', start: modernEngine },
] as const)('self-update on engine $kind', ({ kind, start }) => {
  const P = uniqueName(`wt-self${kind}`)
  const NET = `${P}-net`
  let iso: IsolatedEngine
  let host = ''
  let port = 20_000 + Math.floor(Math.random() * 20_000)
  beforeAll(async () => {
    iso = await start(bed)
    host = iso.host
    await docker(['network', 'create', NET], host)
  })
  afterAll(async () => {
    await removeContainers(P, host)
    await removeImages(P, host)
    await docker(['network', 'rm', NET], host).catch(() => undefined)
  })

  const HELPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait']
  const quick = { stopTimeoutMs: 5000, pollIntervalMs: 200 }

  /** A running "updater" container on a user-defined network with a published port, then a new image. */
  async function selfContainer(name: string, newLines: readonly string[] = []) {
    const tag = `${name}-img:latest`
    const oldImage = await buildImage(tag, 'v1', [], host)
    port += 1
    await docker(
      [
        'run',
        '-d',
        '--name',
        name,
        '--network',
        NET,
        '-p',
        `${port}:8080`,
        '--label',
        `${LABELS.scope}=${P}`,
        '-v',
        `${P}-state:/state`,
        tag,
      ],
      host,
    )
    const before = await inspect(name, host)
    const newImage = await buildImage(tag, 'v2', newLines, host)
    return { before, oldImage, newImage, tag, port }
  }

  const update = (name: string, selfId: string, extra: Partial<UpdateOptions> = {}) => {
    const events: UpdateEvent[] = []
    return runUpdate({
      engine: realEngine(host),
      names: [name],
      noPull: true,
      selfContainerId: selfId,
      selfUpdate: { helperCommand: HELPER },
      onEvent: (e) => events.push(e),
      ...quick,
      ...extra,
    }).then((report) => ({ report, events }))
  }

  it('hands over to a helper; the helper swaps with no port conflict and leaves nothing behind (cleanup)', async () => {
    const name = `${P}-wt`
    const { before, oldImage, newImage } = await selfContainer(name)
    const { report } = await update(name, before.Id, { cleanup: true })
    expect(report.containers[0]).toMatchObject({ state: 'updated', warnings: [] })
    const newId = report.containers[0]?.newId ?? ''
    // old still running (renamed aside, holding the port); new created, not started; helper running
    const old = await inspect(before.Id, host)
    expect([old.Name, old.State.Running]).toEqual([`/${name}.wt-old.${before.Id.slice(0, 12)}.r`, true])
    const created = await inspect(name, host)
    expect([created.Id, created.State.Status, created.Image]).toEqual([newId, 'created', newImage])
    expect(created.HostConfig.PortBindings).toEqual(before.HostConfig.PortBindings)
    expect(Object.keys(created.NetworkSettings.Networks)).toEqual([NET])
    const helperName = (await containersNamed(`${name}.wt-helper.`, host))[0] ?? ''
    const helper = await inspect(helperName, host)
    expect(helper.Image).toBe(newImage)
    expect(helper.State.Running).toBe(true)
    expect(helper.Config.Env).toEqual(
      expect.arrayContaining([
        `WT_SELF_UPDATE_OLD=${before.Id}`,
        `WT_SELF_UPDATE_NEW=${newId}`,
        'WT_SELF_UPDATE_CLEANUP=1',
      ]),
    )
    expect(helper.Config.Labels).toMatchObject({
      [LABELS.enable]: 'false',
      [LABELS.selfUpdateHelper]: name,
      [LABELS.scope]: P,
    })
    expect(helper.HostConfig).toMatchObject({
      Binds: before.HostConfig.Binds,
      AutoRemove: true,
      NetworkMode: NET,
      PortBindings: {},
    })

    // While the helper runs, neither the recovery of a pass nor a start settles anything.
    const engine = realEngine(host)
    expect(await settleSelfUpdate({ engine, selfId: before.Id })).toBe('in-progress')
    const pass = await update(name, before.Id)
    expect(pass.report.recovered).toEqual([])
    expect((await inspect(before.Id, host)).State.Running).toBe(true)

    // What the helper's process does:
    const done: UpdateEvent[] = []
    expect(
      await completeSelfUpdate({
        engine,
        oldId: before.Id,
        newId,
        cleanup: true,
        onEvent: (e) => done.push(e),
        ...quick,
      }),
    ).toBe('finished')
    expect(done.filter((e) => e.type !== 'step').map((e) => e.type)).toEqual([
      'stop',
      'stop',
      'start',
      'start',
      'healthy',
    ])
    const after = await inspect(name, host)
    expect([after.Id, after.State.Running, after.Image]).toEqual([newId, true, newImage])
    const ports = (after.NetworkSettings as unknown as { Ports: Record<string, Array<{ HostPort: string }>> })
      .Ports
    expect(ports['8080/tcp']?.[0]?.HostPort).toBe(String(port))
    expect(await inspectImageId(oldImage, host)).toBeUndefined()
    await docker(['rm', '-f', helperName], host)
    expect(await containersNamed(name, host)).toEqual([name])
  })

  it('a new instance that fails its health check is removed and the old one runs again', async () => {
    const name = `${P}-sick`
    const { before, newImage } = await selfContainer(name, [
      'HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD ["sh", "-c", "exit 1"]',
    ])
    const { report } = await update(name, before.Id)
    const newId = report.containers[0]?.newId ?? ''
    expect((await inspect(name, host)).Image).toBe(newImage)
    const events: UpdateEvent[] = []
    expect(
      await completeSelfUpdate({
        engine: realEngine(host),
        oldId: before.Id,
        newId,
        healthTimeoutMs: 30_000,
        onEvent: (e) => events.push(e),
        ...quick,
      }),
    ).toBe('restored')
    const back = await inspect(name, host)
    expect([back.Id, back.State.Running]).toEqual([before.Id, true])
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', message: expect.stringMatching(/rolled back.*unhealthy/) }),
    )
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['stop', 'start', 'rolled-back', 'warning']),
    )
    expect(events.map((e) => e.type)).not.toContain('healthy')
    for (const h of await containersNamed(`${name}.wt-helper.`, host)) await docker(['rm', '-f', h], host)
    expect(await containersNamed(name, host)).toEqual([name])
  })

  it('a crash before the helper ran: the old instance, started again, takes its name back', async () => {
    const name = `${P}-crash1`
    const { before } = await selfContainer(name)
    const { report } = await update(name, before.Id)
    const newId = report.containers[0]?.newId ?? ''
    // the helper dies before it did anything; the old instance is then started again
    for (const h of await containersNamed(`${name}.wt-helper.`, host)) await docker(['rm', '-f', h], host)
    const events: UpdateEvent[] = []
    expect(
      await settleSelfUpdate({
        engine: realEngine(host),
        selfId: before.Id,
        onEvent: (e) => events.push(e),
        ...quick,
      }),
    ).toBe('restored')
    expect((await inspect(name, host)).Id).toBe(before.Id)
    await expect(inspect(newId, host)).rejects.toThrow()
    expect(await containersNamed(name, host)).toEqual([name])
    expect(events).toContainEqual(expect.objectContaining({ type: 'warning' }))
  })

  it('a crash right after the rename: the old instance takes its name back', async () => {
    const name = `${P}-crash0`
    const { before } = await selfContainer(name)
    await docker(['rename', name, `${name}.wt-old.${before.Id.slice(0, 12)}.r`], host)
    expect(await settleSelfUpdate({ engine: realEngine(host), selfId: before.Id, ...quick })).toBe('restored')
    const back = await inspect(name, host)
    expect([back.Id, back.State.Running]).toEqual([before.Id, true])
    expect(await containersNamed(name, host)).toEqual([name])
  })

  it('a crash after the new instance started: the new instance removes the old one at its start', async () => {
    const name = `${P}-crash2`
    const { before, newImage } = await selfContainer(name)
    const { report } = await update(name, before.Id)
    const newId = report.containers[0]?.newId ?? ''
    // the helper stopped the old one and started the new one, then died
    await docker(['stop', '-t', '1', before.Id], host)
    await docker(['start', newId], host)
    for (const h of await containersNamed(`${name}.wt-helper.`, host)) await docker(['rm', '-f', h], host)
    expect(await settleSelfUpdate({ engine: realEngine(host), selfId: newId, ...quick })).toBe('finished')
    const now = await inspect(name, host)
    expect([now.Id, now.Image, now.State.Running]).toEqual([newId, newImage, true])
    expect(await containersNamed(name, host)).toEqual([name])
    expect(await settleSelfUpdate({ engine: realEngine(host), selfId: newId, ...quick })).toBe('none')
  })

  it('with rolling restart and a scope: the other containers are swapped first, the own one handed over last', async () => {
    const name = `${P}-roll`
    const { before, newImage } = await selfContainer(name)
    const app = `${P}-roll-app`
    const appTag = `${app}-img:latest`
    await buildImage(appTag, 'v1', [], host)
    await docker(
      ['run', '-d', '--name', app, '--network', NET, '--label', `${LABELS.scope}=${P}`, appTag],
      host,
    )
    const appNew = await buildImage(appTag, 'v2', [], host)
    const steps: string[] = []
    const report = await runUpdate({
      engine: realEngine(host),
      names: [name, app],
      scope: P,
      rollingRestart: true,
      noPull: true,
      selfContainerId: before.Id,
      selfUpdate: { helperCommand: HELPER },
      onEvent: (e) => {
        if (e.type === 'step') steps.push(`${e.container} ${e.step}`)
      },
      ...quick,
    })
    expect(report.containers.map((c) => [c.name, c.state]).sort()).toEqual(
      [
        [name, 'updated'],
        [app, 'updated'],
      ].sort(),
    )
    expect((await inspect(app, host)).Image).toBe(appNew)
    expect(steps.findIndex((s) => s.startsWith(`${name} self-update`))).toBeGreaterThan(
      steps.findIndex((s) => s === `${app} remove old`),
    )
    const newId = report.containers.find((c) => c.name === name)?.newId ?? ''
    expect(await completeSelfUpdate({ engine: realEngine(host), oldId: before.Id, newId, ...quick })).toBe(
      'finished',
    )
    expect((await inspect(name, host)).Image).toBe(newImage)
    for (const h of await containersNamed(`${name}.wt-helper.`, host)) await docker(['rm', '-f', h], host)
    expect((await containersNamed(name, host)).sort()).toEqual([name, app].sort())
  })

  it('without a helper command the own container is left alone, with a warning', async () => {
    const name = `${P}-nohelper`
    const { before } = await selfContainer(name)
    const { report, events } = await update(name, before.Id, { selfUpdate: undefined })
    expect(report.containers[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/helperCommand/),
    })
    expect(events).toContainEqual(expect.objectContaining({ type: 'warning', container: name }))
    expect(await containersNamed(name, host)).toEqual([name])
    expect((await inspect(name, host)).Id).toBe(before.Id)
  })
})
