import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  cleanupPrefix,
  docker,
  imageOf,
  publish,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-flags')
afterAll(() => cleanupPrefix(P))

const names = async (prefix: string) =>
  (await docker(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter((n) => n.startsWith(prefix))
const running = async (name: string) => docker(['inspect', '--format', '{{.State.Running}}', name])

describe('update behaviour flags reach the updater', () => {
  it('--include-stopped checks stopped containers; --revive-stopped starts them', async () => {
    const v1 = await publish('open', `${P}-stopped`, 'v1')
    const a = `${P}-stopped-a`
    const b = `${P}-stopped-b`
    await run(a, v1.ref)
    await run(b, v1.ref)
    await docker(['stop', '-t', '1', a, b])
    const v2 = await publish('open', `${P}-stopped`, 'v2')
    const none = await watchtower(['--run-once', '--porcelain', 'v1', a])
    expect(none.stdout).toBe('no containers matched filter\n')
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--include-stopped', a])
    expect(r.stdout).toBe(`${a} (${v1.ref}): Updated\n`)
    expect([await imageOf(a), await running(a)]).toEqual([v2.id, 'false'])
    const revived = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--include-stopped',
      '--revive-stopped',
      b,
    ])
    expect(revived.stdout).toBe(`${b} (${v1.ref}): Updated\n`)
    expect([await imageOf(b), await running(b)]).toEqual([v2.id, 'true'])
  })

  it('--no-restart stops and removes a stale container without recreating it', async () => {
    const v1 = await publish('open', `${P}-norestart`, 'v1')
    const name = `${P}-norestart`
    await run(name, v1.ref)
    await publish('open', `${P}-norestart`, 'v2')
    const r = await watchtower(['--run-once', '--no-restart', name])
    expect(r.code).toBe(0)
    expect(await names(name)).toEqual([])
  })

  it('--disable-containers excludes by name', async () => {
    const v1 = await publish('open', `${P}-dis`, 'v1')
    const a = `${P}-dis-a`
    const b = `${P}-dis-b`
    await run(a, v1.ref)
    await run(b, v1.ref)
    const v2 = await publish('open', `${P}-dis`, 'v2')
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '-x', b, a, b])
    expect(r.stdout).toBe(`${a} (${v1.ref}): Updated\n`)
    expect([await imageOf(a), await imageOf(b)]).toEqual([v2.id, v1.id])
  })

  it('--rolling-restart updates several containers one by one; a name regex selects them', async () => {
    const v1 = await publish('open', `${P}-roll`, 'v1')
    for (const n of ['1', '2', '3']) await run(`${P}-roll-${n}`, v1.ref)
    const v2 = await publish('open', `${P}-roll`, 'v2')
    const r = await watchtower(['--run-once', '--rolling-restart', '--porcelain', 'v1', `${P}-roll-[0-9]`])
    expect(r.stdout.trim().split('\n').sort()).toEqual(
      ['1', '2', '3'].map((n) => `${P}-roll-${n} (${v1.ref}): Updated`),
    )
    for (const n of ['1', '2', '3']) expect(await imageOf(`${P}-roll-${n}`)).toBe(v2.id)
  })

  it('--monitor-image-names / --skip-image-names select by image (host:port references)', async () => {
    const a = await publish('open', `${P}-imga`, 'v1')
    const b = await publish('open', `${P}-imgb`, 'v1')
    await run(`${P}-img-a`, a.ref)
    await run(`${P}-img-b`, b.ref)
    const a2 = await publish('open', `${P}-imga`, 'v2')
    const b2 = await publish('open', `${P}-imgb`, 'v2')
    const repoA = a.ref.replace(/:latest$/, '')
    const only = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--monitor-image-names',
      repoA,
      `${P}-img-.`,
    ])
    expect(only.stdout).toBe(`${P}-img-a (${a.ref}): Updated\n`)
    expect(await imageOf(`${P}-img-b`)).toBe(b.id)
    const skip = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--skip-image-names',
      repoA,
      `${P}-img-.`,
    ])
    expect(skip.stdout).toBe(`${P}-img-b (${b.ref}): Updated\n`)
    expect([await imageOf(`${P}-img-a`), await imageOf(`${P}-img-b`)]).toEqual([a2.id, b2.id])
  })

  it('the zodiac original-image label and a Docker Hub-style short name do not break a run', async () => {
    const v1 = await publish('open', `${P}-zod`, 'v1')
    const name = `${P}-zod`
    await run(name, v1.ref, { 'com.centurylinklabs.zodiac.original-image': v1.ref })
    const r = await watchtower(['--run-once', '--porcelain', 'v1', name])
    expect(r.stdout).toBe(`${name} (${v1.ref}): Fresh\n`)
    expect(bed.registries.open.host).toMatch(/^127\.0\.0\.1:/)
  })
})
