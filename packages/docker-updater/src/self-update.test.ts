import { isolatedEngine } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bed,
  buildImage,
  containersNamed,
  docker,
  inspect,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from './__fixtures__/bed.ts'
import { runUpdate } from './run-update.ts'
import { completeSelfUpdate } from './self-update.ts'

// Self-update of a container that publishes a port (isolated engine: port publishing needs its bridge).
const P = uniqueName('wt-self')
const PORT = String(20_000 + Math.floor(Math.random() * 20_000))
let host = ''
beforeAll(async () => {
  host = (await isolatedEngine(bed)).host
})
afterAll(async () => {
  await removeContainers(P, host)
  await removeImages(P, host)
})

describe('self-update with a published port', () => {
  it('without a helper it is skipped, untouched', async () => {
    const name = `${P}-nohelper`
    const tag = `${name}-img:latest`
    await buildImage(tag, 'v1', [], host)
    await docker(['run', '-d', '--name', name, '-p', `127.0.0.1:${Number(PORT) + 1}:8080`, tag], host)
    const before = await inspect(name, host)
    await buildImage(tag, 'v2', [], host)
    const report = await runUpdate({
      engine: realEngine(host),
      names: [name],
      noPull: true,
      selfContainerId: before.Id,
    })
    expect(report.containers[0]).toMatchObject({
      state: 'skipped',
      error: expect.stringMatching(/needs a helper command/),
    })
    expect(await containersNamed(name, host)).toEqual([name])
    expect((await inspect(name, host)).Id).toBe(before.Id)
  })

  it('hands over to a helper: no port conflict, no orphan', async () => {
    const name = `${P}-wt`
    const tag = `${name}-img:latest`
    await buildImage(tag, 'v1', [], host)
    await docker(
      ['run', '-d', '--name', name, '-p', `127.0.0.1:${PORT}:8080`, '-v', `${P}-sock:/var/run/wt`, tag],
      host,
    )
    const before = await inspect(name, host)
    const newImage = await buildImage(tag, 'v2', [], host)
    const engine = realEngine(host)
    const report = await runUpdate({
      engine,
      names: [name],
      noPull: true,
      selfContainerId: before.Id,
      selfUpdate: { helperCommand: ['sh', '-c', 'sleep 600'] },
    })
    expect(report.containers[0]).toMatchObject({
      state: 'updated',
      warnings: [expect.stringMatching(/helper container/)],
    })
    const newId = report.containers[0]?.newId ?? ''
    // old still running (renamed aside, holding the port); new created, not started
    expect((await inspect(before.Id, host)).State.Running).toBe(true)
    const created = await inspect(name, host)
    expect([created.Id, created.State.Status, created.Image]).toEqual([newId, 'created', newImage])
    expect(created.HostConfig.PortBindings).toEqual(before.HostConfig.PortBindings)
    const helperName = (await containersNamed(`${name}.wt-helper.`, host))[0] ?? ''
    const helper = await inspect(helperName, host)
    expect(helper.Image).toBe(newImage)
    expect(helper.Config.Env).toEqual(
      expect.arrayContaining([`WT_SELF_UPDATE_OLD=${before.Id}`, `WT_SELF_UPDATE_NEW=${newId}`]),
    )
    expect(helper.HostConfig).toMatchObject({ Binds: before.HostConfig.Binds, AutoRemove: true })

    // What the helper's process does:
    expect(
      await completeSelfUpdate({ engine, oldId: before.Id, newId, stopTimeoutMs: 5000, pollIntervalMs: 200 }),
    ).toBe('finished')
    const after = await inspect(name, host)
    expect([after.Id, after.State.Running]).toEqual([newId, true])
    const ports = (after.NetworkSettings as unknown as { Ports: Record<string, Array<{ HostPort: string }>> })
      .Ports
    expect(ports['8080/tcp']?.[0]?.HostPort).toBe(PORT)
    await docker(['rm', '-f', helperName], host)
    expect(await containersNamed(name, host)).toEqual([name])
  })
})
