import { spawn } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
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
} from '../test/bed.ts'
import { recordingEngine } from '../test/fault-engine.ts'
import type { DockerEngine } from './engine.ts'
import { runUpdate } from './run-update.ts'

// Nothing is lost: every engine step of the swap fails once (fault-injecting wrapper around the
// real engine), and a real updater process is killed with SIGKILL in the middle of a swap.
const P = uniqueName('wt-swap')
const TAG = `${P}-img:latest`
let oldImage = ''
let newImage = ''

beforeAll(async () => {
  oldImage = await buildImage(TAG, 'v1')
})
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
})

/** A running container on the old image with a few options to check it comes back intact. */
async function service(name: string) {
  await docker(['tag', oldImage, TAG])
  await docker([
    ...['run', '-d', '--network', 'none', '--name', name, '--label', 'wt.keep=yes', '--env', 'KEEP=1'],
    ...['--restart', 'unless-stopped', '--memory', '64m', TAG],
  ])
  newImage = await buildImage(TAG, 'v2') // the tag moves on: the container is stale (no-pull)
  return inspect(name)
}

function essentials(c: Awaited<ReturnType<typeof inspect>>) {
  return {
    running: c.State.Running,
    labels: c.Config.Labels?.['wt.keep'],
    env: c.Config.Env?.includes('KEEP=1'),
    restart: c.HostConfig.RestartPolicy,
    memory: c.HostConfig.Memory,
  }
}

const update = (engine: DockerEngine, name: string) =>
  runUpdate({ engine, names: [name], noPull: true, stopTimeoutMs: 5000, pollIntervalMs: 100 })

describe('a failure at any step of the swap restores the old container, running', () => {
  let oldId = ''
  const faults: Array<[string, Parameters<typeof recordingEngine>[1] & object]> = [
    ['rename aside', { method: 'renameContainer' }],
    ['stop signal', { method: 'killContainer' }],
    // 1: listing, 2: before the stop signal, 3: waiting for the stop
    ['wait for stop', { method: 'inspectContainer', nth: 3, when: (a) => a[0] === oldId }],
    ['create', { method: 'createContainer' }],
    ['start', { method: 'startContainer' }],
    ['health gate', { method: 'inspectContainer', when: (a) => a[0] !== oldId }],
  ]
  for (const [step, fault] of faults) {
    it(`fails at "${step}"`, async () => {
      const name = `${P}-${step.replace(/ /g, '-')}`
      const before = await service(name)
      oldId = before.Id
      const engine = recordingEngine(realEngine(), fault)
      const report = await update(engine, name)
      expect(engine.injected).toBe(true)
      expect(report.containers[0]).toMatchObject({
        state: 'failed',
        error: expect.stringMatching(new RegExp(`injected fault in ${fault.method}`)),
      })
      const after = await inspect(name)
      expect(after.Id).toBe(before.Id) // the very same container, back under its name
      expect(after.Image).toBe(oldImage)
      expect(essentials(after)).toEqual(essentials(before))
      expect(essentials(after).running).toBe(true)
      expect(await containersNamed(name)).toEqual([name])
      // and the next pass updates it
      const next = await update(realEngine(), name)
      expect(next.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage })
      expect(essentials(await inspect(name))).toEqual(essentials(before))
    })
  }

  it('a failure to remove the old container leaves the new one running; the next run finishes it', async () => {
    const name = `${P}-remove-old`
    const before = await service(name)
    const engine = recordingEngine(realEngine(), { method: 'removeContainer' })
    const report = await update(engine, name)
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage })
    expect(report.containers[0]?.warnings.join()).toMatch(/could not be removed/)
    expect((await containersNamed(name)).length).toBe(2)
    const next = await update(realEngine(), name)
    expect(next.recovered).toEqual([{ name, leftoverId: before.Id, action: 'finished' }])
    expect(await containersNamed(name)).toEqual([name])
    const after = await inspect(name)
    expect(after.Image).toBe(newImage)
    expect(essentials(after)).toEqual(essentials(before))
  })
})

describe('kill -9 of the updater mid-swap: the next run restores or finishes the swap', () => {
  let child = ''
  beforeAll(async () => {
    const here = dirname(fileURLToPath(import.meta.url))
    const out = join(here, '..', 'node_modules', '.cache', `${P}-child.mjs`)
    await mkdir(dirname(out), { recursive: true })
    await build({
      entryPoints: [join(here, '..', 'test', 'swap-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      packages: 'external',
      outfile: out,
      logLevel: 'silent',
    })
    child = out
  })
  afterAll(() => rm(child, { force: true }))

  const cases: Array<[string, 'restored' | 'finished', boolean]> = [
    ['renameContainer', 'restored', false],
    ['killContainer', 'restored', false],
    ['createContainer', 'restored', false],
    ['startContainer', 'finished', true],
  ]
  for (const [pauseAfter, action, updated] of cases) {
    it(`killed right after ${pauseAfter}: ${action}`, async () => {
      const name = `${P}-k9-${pauseAfter.replace('Container', '')}`
      const before = await service(name)
      const proc = spawn(process.execPath, [child, bed.docker.host, name, pauseAfter], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      proc.stderr.on('data', (d) => {
        stderr += d
      })
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('PAUSED')) resolve()
        })
        proc.on('exit', (code) => reject(new Error(`child exited (${code}) before pausing: ${stderr}`)))
      })
      proc.kill('SIGKILL')
      await new Promise((r) => proc.once('exit', r))
      expect((await containersNamed(name)).some((n) => n.includes('.wt-old.'))).toBe(true)

      const report = await update(realEngine(), name)
      expect(report.recovered).toEqual([{ name, leftoverId: before.Id, action }])
      const after = await inspect(name)
      expect(after.State.Running).toBe(true)
      expect(essentials(after)).toEqual(essentials(before))
      expect(await containersNamed(name)).toEqual([name])
      if (updated) {
        expect(after.Image).toBe(newImage)
        expect(report.containers[0]?.state).toBe('fresh')
      } else {
        // restored, then updated by the same pass
        expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage })
      }
    })
  }
})
