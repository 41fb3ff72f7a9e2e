import { parseReference } from '@watchtower-ts/image-reference'
import { describe, expect, it } from 'vitest'
import { type MemoryEngine, memoryEngine } from '../test/memory-engine.ts'
import { runFleetUpdate, shareChecker } from './fleet.ts'
import type { ImageChecker } from './types.ts'

// Fleet logic against in-memory engines (the unit tier): one registry check per distinct image for
// the whole fleet, updates per engine, failure isolation. The real engines run it in the watchtower
// fleet e2e test.

const REG = '127.0.0.1:5999/team'

function countingChecker() {
  const checks: string[] = []
  const prepared: string[][] = []
  const checker: ImageChecker = {
    prepare(refs) {
      prepared.push(refs.map((r) => r.original).sort())
    },
    async check(ref, digests) {
      checks.push(ref.original)
      const remote = ref.original.endsWith('/app:1') ? 'sha256:new' : 'sha256:old'
      return {
        status: digests.some((d) => d.endsWith(`@${remote}`)) ? 'fresh' : 'stale',
        remoteDigest: remote,
      }
    },
  }
  return { checker, checks, prepared }
}

function host(n: number, names: string[]): MemoryEngine {
  const engine = memoryEngine()
  engine.addImage(`${REG}/app:1`, 'sha256:app-old', 'sha256:old')
  engine.addImage(`${REG}/db:1`, 'sha256:db-old', 'sha256:old')
  engine.remote.set(`${REG}/app:1`, { id: 'sha256:app-new', digest: 'sha256:new' })
  for (const name of names) engine.addContainer(`${name}-${n}`, `${REG}/${name.replace(/\d+$/, '')}:1`)
  return engine
}

describe('runFleetUpdate (in-memory engines)', () => {
  it('checks each distinct image once for the whole fleet and updates the stale containers of every engine', async () => {
    const engines = [1, 2, 3].map((n) => host(n, ['app', 'app2', 'db']))
    const { checker, checks, prepared } = countingChecker()
    const events: string[] = []
    const fleet = await runFleetUpdate({
      engines: engines.map((engine, i) => ({ host: `unix:///e${i + 1}.sock`, engine })),
      checker,
      engineConcurrency: 2,
      onEvent: (e, h) => {
        if (e.type === 'found-stale') events.push(`${h} ${e.container}`)
      },
    })
    expect(prepared).toEqual([[`${REG}/app:1`, `${REG}/db:1`]])
    expect(checks.sort()).toEqual([`${REG}/app:1`, `${REG}/db:1`])
    expect(fleet.engines.map((e) => e.host)).toEqual([
      'unix:///e1.sock',
      'unix:///e2.sock',
      'unix:///e3.sock',
    ])
    for (const [i, e] of fleet.engines.entries()) {
      expect(e.error).toBeUndefined()
      expect(e.report?.counts.updated).toBe(2)
      expect(e.report?.containers.map((c) => [c.name, c.state])).toEqual([
        [`app-${i + 1}`, 'updated'],
        [`app2-${i + 1}`, 'updated'],
        [`db-${i + 1}`, 'fresh'],
      ])
      expect(engines[i]!.containerByName(`app-${i + 1}`)?.Image).toBe('sha256:app-new')
    }
    expect(events.sort()).toEqual(
      [1, 2, 3].flatMap((n) => [`unix:///e${n}.sock app-${n}`, `unix:///e${n}.sock app2-${n}`]).sort(),
    )
  })

  it('an unreachable engine is reported by name; the others are updated', async () => {
    const engines = [1, 2].map((n) => host(n, ['app']))
    engines[0]!.down()
    const { checker, checks } = countingChecker()
    const fleet = await runFleetUpdate({
      engines: engines.map((engine, i) => ({ host: `tcp://h${i + 1}:2376`, engine })),
      checker,
    })
    expect(fleet.engines[0]).toMatchObject({
      host: 'tcp://h1:2376',
      error: { phase: 'select', code: 'WT_UPDATER_ENGINE', message: expect.stringContaining('engine down') },
    })
    expect(fleet.engines[0]!.report).toBeUndefined()
    expect(fleet.engines[1]!.report?.counts.updated).toBe(1)
    expect(checks).toEqual([`${REG}/app:1`])
  })

  it('an engine that fails mid-pass does not stop the others', async () => {
    const engines = [1, 2].map((n) => host(n, ['app', 'app2']))
    // engine 1 goes away once its new image is pulled: its swaps fail, engine 2's complete
    const pull = engines[0]!.pullImage
    engines[0]!.pullImage = async (ref, o) => {
      await pull(ref, o)
      engines[0]!.down()
    }
    const { checker } = countingChecker()
    const fleet = await runFleetUpdate({
      engines: engines.map((engine, i) => ({ host: `ssh://u@h${i + 1}`, engine })),
      checker,
    })
    const first = fleet.engines[0]!
    const failures = first.error
      ? [first.error.message]
      : (first.report?.containers ?? []).filter((c) => c.state !== 'updated').map((c) => c.error ?? '')
    expect(failures.length).toBeGreaterThan(0)
    expect(failures.join(' ')).toContain('engine down')
    expect(fleet.engines[1]!.report?.counts.updated).toBe(2)
  })
})

describe('shareChecker', () => {
  it('one check per reference; each caller compares its own digests with the one remote digest', async () => {
    const { checker, checks } = countingChecker()
    const shared = shareChecker(checker)
    const a = await shared.check(parseReference(`${REG}/app:1`), [`${REG}/app@sha256:old`])
    const b = await shared.check(parseReference(`${REG}/app:1`), [`${REG}/app@sha256:new`])
    expect([a.status, b.status]).toEqual(['stale', 'fresh'])
    expect(checks).toEqual([`${REG}/app:1`])
  })
})
