import { tokenLog } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  build,
  cleanupPrefix,
  docker,
  imageExists,
  imageOf,
  publish,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e')
afterAll(() => cleanupPrefix(P))

describe('watchtower CLI against the real engine and registries', () => {
  it('updates a container from the token registry (private CA, credentials from config.json)', async () => {
    const repo = `${P}-tok`
    const v1 = await publish('token', `alice/${repo}`, 'v1')
    const name = `${P}-tok`
    await run(name, v1.ref)
    const v2 = await publish('token', `alice/${repo}`, 'v2')
    const r = await watchtower(['--run-once', '--porcelain', 'v1', name])
    expect(r.stderr).not.toContain(bed.users.alice.password)
    expect(r.stdout).toBe(`${name} (${v1.ref}): Updated\n`)
    expect(r.code).toBe(0)
    expect(await imageOf(name)).toBe(v2.id)
    // second run: fresh, nothing to do
    const again = await watchtower(['--run-once', '--porcelain', 'v1', name])
    expect(again.stdout).toBe(`${name} (${v1.ref}): Fresh\n`)
  })

  it('one token request covers every repository of a registry in a pass', async () => {
    const repos = [`alice/${P}-one-a`, `alice/${P}-one-b`, `alice/${P}-one-c`]
    const names: string[] = []
    for (const [i, repo] of repos.entries()) {
      const v1 = await publish('token', repo, 'v1')
      names.push(`${P}-one-${i}`, `${P}-one-${i}-twin`)
      await run(`${P}-one-${i}`, v1.ref)
      await run(`${P}-one-${i}-twin`, v1.ref)
    }
    const mine = async () =>
      (await tokenLog(bed)).filter(
        (r) =>
          r.account === 'alice' &&
          r.scopes.some((s) => s.includes(`${P}-one-`)) &&
          r.scopes.every((s) => s.endsWith(':pull')),
      )
    const r = await watchtower(['--run-once', '--monitor-only', '--porcelain', 'v1', ...names])
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(6)
    const tokens = await mine()
    expect(tokens).toHaveLength(1)
    expect([...tokens[0]!.scopes].sort()).toEqual(repos.map((x) => `repository:${x}:pull`).sort())
    // a new process has an empty cache: it asks once more, again one token for all three
    await watchtower(['--run-once', '--monitor-only', '--porcelain', 'v1', ...names])
    expect(await mine()).toHaveLength(2)
  })

  it('--monitor-only reports Stale and leaves the container alone', async () => {
    const v1 = await publish('open', `${P}-mon`, 'v1')
    const name = `${P}-mon`
    await run(name, v1.ref)
    await publish('open', `${P}-mon`, 'v2')
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--monitor-only', name])
    expect(r.stdout).toBe(`${name} (${v1.ref}): Stale\n`)
    expect(await imageOf(name)).toBe(v1.id)
  })

  it('--label-enable only touches labelled containers; --scope selects by scope label', async () => {
    const v1 = await publish('open', `${P}-lbl`, 'v1')
    const on = `${P}-lbl-on`
    const off = `${P}-lbl-off`
    const scoped = `${P}-lbl-scope`
    await run(on, v1.ref, { 'com.centurylinklabs.watchtower.enable': 'true' })
    await run(off, v1.ref)
    await run(scoped, v1.ref, { 'com.centurylinklabs.watchtower.scope': `${P}-s` })
    const v2 = await publish('open', `${P}-lbl`, 'v2')
    const r = await watchtower(['--run-once', '--label-enable', '--porcelain', 'v1', on, off])
    expect(r.stdout).toBe(`${on} (${v1.ref}): Updated\n`)
    expect(await imageOf(on)).toBe(v2.id)
    expect(await imageOf(off)).toBe(v1.id)
    const wrongScope = await watchtower([
      '--run-once',
      '--scope',
      `${P}-other`,
      '--porcelain',
      'v1',
      scoped,
      off,
    ])
    expect(wrongScope.stdout).toBe('no containers matched filter\n')
    const s = await watchtower(['--run-once', '--scope', `${P}-s`, '--porcelain', 'v1', scoped, off])
    expect(s.stdout).toBe(`${scoped} (${v1.ref}): Updated\n`)
    expect(await imageOf(off)).toBe(v1.id)
  })

  it('--cleanup removes the old image after the update', async () => {
    const v1 = await publish('open', `${P}-clean`, 'v1')
    const name = `${P}-clean`
    await run(name, v1.ref)
    const v2 = await publish('open', `${P}-clean`, 'v2')
    const r = await watchtower(['--run-once', '--cleanup', '--porcelain', 'v1', name])
    expect(r.stdout).toBe(`${name} (${v1.ref}): Updated\n`)
    expect(await imageOf(name)).toBe(v2.id)
    expect(await imageExists(v1.id)).toBe(false)
  })

  it('--no-pull updates only when the local tag moved', async () => {
    const v1 = await publish('open', `${P}-np`, 'v1')
    const name = `${P}-np`
    await run(name, v1.ref)
    // a newer image in the registry, but the local tag still points at v1
    await publish('open', `${P}-np`, 'v2')
    await docker(['tag', v1.id, v1.ref])
    const r = await watchtower(['--run-once', '--no-pull', '--porcelain', 'v1', name])
    expect(r.stdout).toBe(`${name} (${v1.ref}): Fresh\n`)
    expect(await imageOf(name)).toBe(v1.id)
    // a local build moves the tag: now --no-pull updates without touching the registry
    const local = await build(v1.ref, 'v2')
    const r2 = await watchtower(['--run-once', '--no-pull', '--porcelain', 'v1', name])
    expect(r2.stdout).toBe(`${name} (${v1.ref}): Updated\n`)
    expect(await imageOf(name)).toBe(local)
  })

  it('lifecycle hooks run with --enable-lifecycle-hooks', async () => {
    const v1 = await publish('open', `${P}-hook`, 'v1')
    const name = `${P}-hook`
    await run(name, v1.ref, {
      'com.centurylinklabs.watchtower.lifecycle.pre-update': 'echo pre-update-hook-ran',
      'com.centurylinklabs.watchtower.lifecycle.post-update': 'echo post-update-hook-ran',
    })
    await publish('open', `${P}-hook`, 'v2')
    const r = await watchtower(['--run-once', '--enable-lifecycle-hooks', name])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('pre-update-hook-ran')
    expect(r.stderr).toContain('post-update-hook-ran')
  })

  it('--run-once exits 1 when an update fails', async () => {
    const v1 = await publish('open', `${P}-fail`, 'v1')
    const name = `${P}-fail`
    await run(name, v1.ref, { 'com.centurylinklabs.watchtower.lifecycle.pre-update': 'exit 1' })
    await publish('open', `${P}-fail`, 'v2')
    const r = await watchtower(['--run-once', '--enable-lifecycle-hooks', '--porcelain', 'v1', name])
    expect(r.stdout).toMatch(new RegExp(`^${name} \\(.*\\): Failed Error: `))
    expect(r.code).toBe(1)
    expect(await imageOf(name)).toBe(v1.id)
  })
})
