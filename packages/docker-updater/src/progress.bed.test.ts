import { afterAll, describe, expect, it } from 'vitest'
import {
  buildImage,
  docker,
  openRegistryChecker,
  pushBuilt,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { runUpdate } from './run-update.ts'
import type { ProgressEvent, UpdateEvent } from './types.ts'

// Progress events of a real pass (real engine, the bed's open registry), in the order they happen.
const P = uniqueName('wt-progress')
/** Images left untagged by a test (the old image of a rolled-back container). */
const untagged: string[] = []
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
  for (const id of untagged) await docker(['rmi', id]).catch(() => undefined)
})

const isProgress = (e: UpdateEvent): e is ProgressEvent => !['step', 'hook', 'warning'].includes(e.type)
const label = (e: ProgressEvent) => ('phase' in e ? `${e.type}:${e.phase}` : e.type)

describe('progress events against the real engine', () => {
  it('a stale container: found, pull (with byte progress), stop, create, start, healthy, image removed', async () => {
    const first = await pushBuilt(`${P}/app`, 'v', 'v1')
    const name = `${P}-app`
    await docker(['run', '-d', '--network', 'none', '--name', name, first.ref])
    // 3 MB of random bytes: a layer the engine really downloads, so it reports bytes.
    const second = await pushBuilt(`${P}/app`, 'v', 'v2', ['RUN head -c 3000000 /dev/urandom > /blob'])
    await docker(['rmi', first.ref]) // the new image (and its 3 MB layer) leaves the engine: a real pull
    const events: ProgressEvent[] = []
    const report = await runUpdate({
      engine: realEngine(),
      checker: openRegistryChecker(),
      names: [name],
      cleanup: true,
      pullProgressIntervalMs: 0,
      onEvent: (e) => {
        if (isProgress(e)) events.push(e)
      },
    })
    expect(report.containers[0]?.state).toBe('updated')
    const labels = events.map(label).filter((l, i, all) => l !== 'pull:progress' || all[i - 1] !== l)
    expect(labels).toEqual([
      'found-stale',
      'pull:begin',
      'pull:progress',
      'pull:end',
      'stop:begin',
      'stop:end',
      'create:begin',
      'create:end',
      'start:begin',
      'start:end',
      'healthy',
      'remove-image',
    ])
    const byType = <T extends ProgressEvent['type']>(t: T, phase?: string) =>
      events.find((e) => e.type === t && (!phase || ('phase' in e && e.phase === phase))) as Extract<
        ProgressEvent,
        { type: T }
      >
    expect(byType('found-stale')).toMatchObject({ container: name, image: first.ref, latest: second.digest })
    const progress = events.filter((e) => e.type === 'pull' && e.phase === 'progress')
    const last = progress.at(-1) as { currentBytes: number; totalBytes: number }
    expect(last.totalBytes).toBeGreaterThan(3_000_000)
    expect(last.currentBytes).toBeLessThanOrEqual(last.totalBytes)
    expect(byType('pull', 'end')).toMatchObject({ image: first.ref, totalBytes: last.totalBytes })
    expect(byType('stop', 'begin')).toMatchObject({ container: name, signal: 'SIGTERM' })
    const started = byType('start', 'end')
    expect(started.containerId).toBe(report.containers[0]?.newId)
    expect(byType('healthy')).toMatchObject({ container: name, health: 'running' })
    expect(byType('remove-image')).toMatchObject({ imageId: first.id })
    for (const e of events) if ('durationMs' in e) expect(e.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('a new container that turns unhealthy is rolled back: the event says why', async () => {
    const ref = `${P}-rb:v`
    untagged.push(await buildImage(ref, 'v1'))
    const name = `${P}-rb`
    await docker(['run', '-d', '--network', 'none', '--name', name, ref])
    await buildImage(ref, 'v2', ['HEALTHCHECK --interval=1s --retries=1 CMD false'])
    const events: ProgressEvent[] = []
    const report = await runUpdate({
      engine: realEngine(),
      noPull: true,
      names: [name],
      healthTimeoutMs: 5000,
      onEvent: (e) => {
        if (isProgress(e)) events.push(e)
      },
    })
    expect(report.containers[0]?.state).toBe('rolled-back')
    expect(events.map(label).slice(-2)).toEqual(['start:end', 'rolled-back'])
    expect(events.at(-1)).toMatchObject({ container: name, reason: expect.stringMatching(/unhealthy/) })
  })

  it('a listener that throws does not break the pass', async () => {
    const ref = `${P}-throw:v`
    await buildImage(ref, 'v1')
    const name = `${P}-throw`
    await docker(['run', '-d', '--network', 'none', '--name', name, ref])
    await buildImage(ref, 'v2')
    const report = await runUpdate({
      engine: realEngine(),
      noPull: true,
      cleanup: true,
      names: [name],
      onEvent: () => {
        throw new Error('listener bug')
      },
    })
    expect(report.containers[0]?.state).toBe('updated')
  })
})
