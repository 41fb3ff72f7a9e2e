import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bed,
  buildImage,
  docker,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { LABELS } from './labels.ts'
import { runUpdate } from './run-update.ts'
import type { UpdateOptions } from './types.ts'

// Real engine: which containers a pass looks at. Every pass is bound to this file's prefix.
const P = uniqueName('wt-sel')
const engine = realEngine()
const mine = [`${P}-.*`]

async function run(name: string, labels: Record<string, string> = {}, create = false) {
  const args = [
    create ? 'create' : 'run',
    ...(create ? [] : ['-d']),
    '--network',
    'none',
    '--name',
    `${P}-${name}`,
  ]
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`)
  await docker([...args, bed.images.v1])
}

async function names(options: Partial<UpdateOptions>): Promise<string[]> {
  const report = await runUpdate({ engine, noPull: true, monitorOnly: true, names: mine, ...options })
  return report.containers.map((c) => c.name.slice(P.length + 1)).sort()
}

beforeAll(async () => {
  await run('plain')
  await run('enabled', { [LABELS.enable]: 'true' })
  await run('disabled', { [LABELS.enable]: 'false' })
  await run('scoped', { [LABELS.scope]: 's1' })
  await run('nonescope', { [LABELS.scope]: 'none' })
  await run('stopped', {}, true)
})
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
})

describe('selection against the real engine', () => {
  it('takes running containers not disabled by label; stopped ones only with include-stopped', async () => {
    expect(await names({})).toEqual(['enabled', 'nonescope', 'plain', 'scoped'])
    expect(await names({ includeStopped: true })).toEqual([
      'enabled',
      'nonescope',
      'plain',
      'scoped',
      'stopped',
    ])
  })

  it('filters by exact names (with and without slash), regex and disabled names', async () => {
    expect(await names({ names: [`${P}-plain`, `/${P}-scoped`] })).toEqual(['plain', 'scoped'])
    expect(await names({ names: [`${P}-(plain|enab.*)`] })).toEqual(['enabled', 'plain'])
    expect(await names({ disabledNames: [`${P}-plain`, `${P}-scoped`] })).toEqual(['enabled', 'nonescope'])
  })

  it('honours label-enable and scope (including none)', async () => {
    expect(await names({ labelEnable: true })).toEqual(['enabled'])
    expect(await names({ scope: 's1' })).toEqual(['scoped'])
    expect(await names({ scope: 'none' })).toEqual(['enabled', 'nonescope', 'plain'])
  })

  it('updates stopped containers with include-stopped, starting them only with revive-stopped', async () => {
    for (const revive of [false, true]) {
      const n = `${P}-stopped-${revive}`
      const tag = `${n}-img:latest`
      await buildImage(tag, 'v1')
      await docker(['create', '--network', 'none', '--name', n, tag])
      const newImage = await buildImage(tag, 'v2')
      const report = await runUpdate({
        engine,
        names: [n],
        noPull: true,
        includeStopped: true,
        reviveStopped: revive,
      })
      expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage })
      expect(await docker(['inspect', '--format', '{{.Image}} {{.State.Running}}', n])).toBe(
        `${newImage} ${revive}`,
      )
    }
  })

  it('monitor-only and no-pull by flag and label, label first with label-take-precedence', async () => {
    const n = `${P}-mo`
    const tag = `${P}-mo-img:latest`.replace(/[^a-z0-9.:/_-]/g, '')
    await buildImage(tag, 'v1')
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      n,
      '--label',
      `${LABELS.monitorOnly}=false`,
      tag,
    ])
    const oldImage = await docker(['inspect', '--format', '{{.Image}}', n])
    const newImage = await buildImage(tag, 'v2')
    const one = { engine, names: [n], noPull: true, stopTimeoutMs: 5000 }

    let report = await runUpdate({ ...one, monitorOnly: true })
    expect(report.containers[0]).toMatchObject({ state: 'stale', oldImageId: oldImage, newImageId: newImage })
    expect(await docker(['inspect', '--format', '{{.Image}}', n])).toBe(oldImage)

    report = await runUpdate({ ...one, monitorOnly: true, labelTakePrecedence: true })
    expect(report.containers[0]).toMatchObject({
      state: 'updated',
      oldImageId: oldImage,
      newImageId: newImage,
    })
    expect(await docker(['inspect', '--format', '{{.Image}}', n])).toBe(newImage)
    expect(report.counts).toMatchObject({ updated: 1, scanned: 1, failed: 0 })
  })
})

describe('a restarting container (real restart loop)', () => {
  it('is left out unless include-restarting', async () => {
    const n = `${P}-restart-loop`
    // `--restart always` with a command that fails at once: the engine keeps it "restarting",
    // backing off 100 ms, 200 ms, 400 ms ... (running only for the instant of each attempt).
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--restart',
      'always',
      '--name',
      n,
      bed.images.v1,
      'false',
    ])
    try {
      for (let i = 0; i < 200; i++) {
        const [restarting, count] = (
          await docker(['inspect', '--format', '{{.State.Restarting}} {{.RestartCount}}', n])
        ).split(' ')
        if (restarting === 'true' && Number(count) >= 4) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const only = async (options: Partial<UpdateOptions>) =>
        (await runUpdate({ engine, noPull: true, monitorOnly: true, names: [n], ...options })).containers.map(
          (c) => c.name,
        )
      expect(await only({})).toEqual([])
      expect(await only({ includeStopped: true })).toEqual([])
      expect(await only({ includeRestarting: true })).toEqual([n])
    } finally {
      await docker(['rm', '-f', n])
    }
  })
})
