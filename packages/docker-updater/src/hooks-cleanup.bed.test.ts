import { afterAll, describe, expect, it } from 'vitest'
import {
  buildImage,
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
import type { UpdateEvent, UpdateOptions } from './types.ts'

// Lifecycle hooks, cleanup, no-restart and the self container, against the real engine.
const P = uniqueName('wt-hc')
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
})

async function stale(
  name: string,
  labels: Record<string, string> = {},
  tag = `${name}-img:latest`,
  build = true,
) {
  const oldImage = build ? await buildImage(tag, 'v1') : ((await inspectImageId(tag)) as string)
  const args = ['run', '-d', '--network', 'none', '--name', name]
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`)
  await docker([...args, tag])
  return { before: await inspect(name), oldImage, tag }
}

const opts = (names: string[], extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
  engine: realEngine(),
  names,
  noPull: true,
  stopTimeoutMs: 5000,
  pollIntervalMs: 200,
  ...extra,
})

describe('lifecycle hooks', () => {
  it('runs pre-check, pre-update, post-update (in the new container) and post-check', async () => {
    const name = `${P}-hooks`
    const { tag } = await stale(name, {
      [LABELS.preCheck]: 'echo pre-check',
      [LABELS.preUpdate]: 'echo pre-update',
      [LABELS.postUpdate]: 'echo post-update > /tmp/post; cat /version',
      [LABELS.postCheck]: 'echo post-check',
      [LABELS.postUpdateTimeout]: '2',
    })
    const newImage = await buildImage(tag, 'v2')
    const events: UpdateEvent[] = []
    const withoutFlag = await runUpdate(opts([name], { monitorOnly: true, onEvent: (e) => events.push(e) }))
    expect(withoutFlag.containers[0]?.state).toBe('stale')
    expect(events.filter((e) => e.type === 'hook')).toEqual([])

    const report = await runUpdate(opts([name], { lifecycleHooks: true, onEvent: (e) => events.push(e) }))
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newImage, warnings: [] })
    const hooks = events.filter((e) => e.type === 'hook')
    expect(hooks.map((h) => [h.hook, h.exitCode, h.output.trim()])).toEqual([
      ['pre-check', 0, 'pre-check'],
      ['pre-update', 0, 'pre-update'],
      ['post-update', 0, 'v2'],
      ['post-check', 0, 'post-check'],
    ])
    expect(await docker(['exec', name, 'cat', '/tmp/post'])).toBe('post-update')
  })

  it('pre-update exit 75 skips the container; another non-zero exit fails it; both leave it untouched', async () => {
    for (const [code, state] of [
      [75, 'skipped'],
      [3, 'failed'],
    ] as const) {
      const name = `${P}-pre${code}`
      const { before, tag } = await stale(name, { [LABELS.preUpdate]: `exit ${code}` })
      await buildImage(tag, 'v2')
      const report = await runUpdate(opts([name], { lifecycleHooks: true }))
      expect(report.containers[0]).toMatchObject({ state, error: expect.stringContaining(String(code)) })
      const after = await inspect(name)
      expect([after.Id, after.State.Running]).toEqual([before.Id, true])
    }
  })
})

describe('cleanup, no-restart, self', () => {
  it('removes the old image once no container uses it, without errors when containers shared it', async () => {
    const tag = `${P}-shared:latest`
    const { oldImage } = await stale(`${P}-sh1`, {}, tag)
    await stale(`${P}-sh2`, {}, tag, false)
    const newImage = await buildImage(tag, 'v2')
    const report = await runUpdate(opts([`${P}-sh.`], { cleanup: true }))
    expect(report.containers.map((c) => [c.state, c.newImageId, c.warnings])).toEqual([
      ['updated', newImage, []],
      ['updated', newImage, []],
    ])
    expect(await inspectImageId(oldImage)).toBeUndefined()
  })

  it('keeps an old image another container still uses', async () => {
    const tag = `${P}-kept:latest`
    const { oldImage } = await stale(`${P}-kept-a`, {}, tag)
    await stale(`${P}-other`, {}, tag, false) // not selected below: still on the old image
    await buildImage(tag, 'v2')
    const report = await runUpdate(opts([`${P}-kept-a`], { cleanup: true }))
    expect(report.containers[0]).toMatchObject({ state: 'updated', warnings: [] })
    expect(await inspectImageId(oldImage)).toBe(oldImage)
  })

  it('no-restart stops and removes a stale container without recreating it', async () => {
    const name = `${P}-norestart`
    const { tag } = await stale(name)
    await buildImage(tag, 'v2')
    const report = await runUpdate(opts([name], { noRestart: true }))
    expect(report.containers[0]).toMatchObject({
      state: 'updated',
      warnings: [expect.stringMatching(/not recreated/)],
    })
    expect(await docker(['ps', '-a', '-q', '--filter', `name=^${name}$`])).toBe('')
  })
})
