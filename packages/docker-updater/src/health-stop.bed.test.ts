import { afterAll, describe, expect, it } from 'vitest'
import {
  buildImage,
  containersNamed,
  docker,
  inspect,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { recordingEngine } from '../test/fault-engine.ts'
import { LABELS } from './labels.ts'
import { runUpdate } from './run-update.ts'
import type { UpdateOptions } from './types.ts'

// Health gate and stopping, against the real engine.
const P = uniqueName('wt-hs')
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
})

/** Container `name` from a fresh v1 image; the tag then moves to a v2 built with `newLines`. */
async function stale(name: string, runArgs: string[] = [], oldLines: string[] = [], newLines: string[] = []) {
  const tag = `${name}-img:latest`
  const oldImage = await buildImage(tag, 'v1', oldLines)
  await docker(['run', '-d', '--network', 'none', '--name', name, ...runArgs, tag])
  const before = await inspect(name)
  const newImage = await buildImage(tag, 'v2', newLines)
  return { before, oldImage, newImage }
}

const opts = (name: string, extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
  engine: realEngine(),
  names: [name],
  noPull: true,
  stopTimeoutMs: 5000,
  pollIntervalMs: 200,
  ...extra,
})

describe('health gate', () => {
  const cases: Array<[string, string[], Partial<UpdateOptions>, RegExp]> = [
    ['unhealthy', ['HEALTHCHECK --interval=1s --retries=1 CMD false'], {}, /became unhealthy/],
    [
      'exits',
      ['HEALTHCHECK --interval=30s CMD true', 'CMD ["sh", "-c", "sleep 1; exit 3"]'],
      {},
      /exited after start \(exit code 3\)/,
    ],
    [
      'slow',
      ['HEALTHCHECK --interval=60s CMD true'],
      { healthTimeoutMs: 1500 },
      /did not become healthy within 1500 ms/,
    ],
  ]
  for (const [what, lines, extra, message] of cases) {
    it(`rolls back to the old container and image when the new one ${what}`, async () => {
      const name = `${P}-${what}`
      const { before, oldImage } = await stale(name, [], [], lines)
      const report = await runUpdate(opts(name, extra))
      expect(report.containers[0]).toMatchObject({
        state: 'rolled-back',
        errorCode: 'WT_UPDATER_UNHEALTHY',
        error: expect.stringMatching(message),
      })
      expect(report.counts['rolled-back']).toBe(1)
      const after = await inspect(name)
      expect([after.Id, after.Image, after.State.Running]).toEqual([before.Id, oldImage, true])
      expect(await containersNamed(name)).toEqual([name])
    })
  }

  it('the health-timeout label (seconds, 0 = off) overrides the option per container', async () => {
    const name = `${P}-label`
    const { newImage } = await stale(
      name,
      ['--label', `${LABELS.healthTimeout}=0`],
      [],
      ['HEALTHCHECK --interval=1s --retries=1 CMD false'],
    )
    const report = await runUpdate(opts(name))
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage })
  })
})

describe('stopping', () => {
  const kills = (engine: ReturnType<typeof recordingEngine>) =>
    engine.calls.filter((c) => c.method === 'killContainer').map((c) => c.args[1])

  it('uses the stop-signal label, else the image STOPSIGNAL, else SIGTERM', async () => {
    const labelled = `${P}-sig-label`
    await stale(labelled, ['--label', `${LABELS.stopSignal}=SIGHUP`], ['STOPSIGNAL SIGUSR2'])
    const fromImage = `${P}-sig-image`
    await stale(fromImage, [], ['STOPSIGNAL SIGUSR2'])
    const plain = `${P}-sig-plain`
    await stale(plain)
    for (const [name, signal] of [
      [labelled, 'SIGHUP'],
      [fromImage, 'SIGUSR2'],
      [plain, 'SIGTERM'],
    ]) {
      const engine = recordingEngine(realEngine())
      const report = await runUpdate(opts(name as string, { engine, stopTimeoutMs: 1000 }))
      expect(report.containers[0]?.state).toBe('updated')
      expect(kills(engine)[0]).toBe(signal)
    }
  })

  it('kills after the stop timeout when the signal is ignored', async () => {
    const name = `${P}-stubborn`
    await stale(name, [], ['CMD ["sleep", "1000"]'])
    const engine = recordingEngine(realEngine())
    const report = await runUpdate(opts(name, { engine, stopTimeoutMs: 1000 }))
    expect(report.containers[0]?.state).toBe('updated')
    expect(kills(engine)).toEqual(['SIGTERM', 'SIGKILL'])
  })

  it('removes the old anonymous volumes only with removeVolumes', async () => {
    for (const removeVolumes of [false, true]) {
      const name = `${P}-vol-${removeVolumes}`
      const { before } = await stale(name, ['--volume', '/scratch'])
      const volume = (before as unknown as { Mounts: Array<{ Name: string }> }).Mounts[0]?.Name ?? ''
      const report = await runUpdate(opts(name, { removeVolumes }))
      expect(report.containers[0]?.state).toBe('updated')
      const exists = await docker(['volume', 'ls', '-q', '--filter', `name=${volume}`])
      expect(exists === volume).toBe(!removeVolumes)
      if (!removeVolumes) await docker(['volume', 'rm', volume])
    }
  })

  it('handles auto-remove containers (the engine removes the old one on stop)', async () => {
    const name = `${P}-autorm`
    const { newImage } = await stale(name, ['--rm'])
    const report = await runUpdate(opts(name))
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage, warnings: [] })
    const after = await inspect(name)
    expect(after.State.Running).toBe(true)
    expect(after.HostConfig.AutoRemove).toBe(true)
    expect(await containersNamed(name)).toEqual([name])
  })

  it('an auto-remove container whose swap fails is recreated from its snapshot on the old image', async () => {
    const name = `${P}-autorm-fail`
    const { before, oldImage } = await stale(name, ['--rm', '--label', 'wt.keep=1'])
    const engine = recordingEngine(realEngine(), { method: 'startContainer' })
    const report = await runUpdate(opts(name, { engine }))
    expect(report.containers[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/injected fault/),
    })
    const after = await inspect(name)
    expect([after.Image, after.State.Running, after.HostConfig.AutoRemove]).toEqual([oldImage, true, true])
    expect(after.Config.Labels?.['wt.keep']).toBe('1')
    expect(after.Config.Env).toEqual(before.Config.Env)
    expect(await containersNamed(name)).toEqual([name])
  })

  it('exec honours its timeout', async () => {
    const name = `${P}-exec`
    await stale(name)
    const r = await realEngine().exec(name, ['sleep', '5'], { timeoutMs: 300 })
    expect(r).toMatchObject({ timedOut: true, exitCode: null })
    expect(await realEngine().exec(name, ['sh', '-c', 'echo hi; exit 4'])).toEqual({
      exitCode: 4,
      output: 'hi\n',
      timedOut: false,
    })
  })
})
