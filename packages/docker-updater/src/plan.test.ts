import { describe, expect, it } from 'vitest'
import { memoryEngine } from '../test/memory-engine.ts'
import { createContext } from './_options.ts'
import { checkSelection, createEngineCache } from './check.ts'
import { LABELS } from './labels.ts'
import { planUpdate } from './plan.ts'
import { selectTargets } from './select.ts'
import type { ImageChecker, UpdateOptions } from './types.ts'

// Planning logic against an in-memory engine: which containers a pass recreates, decided from the
// selection and the check alone (no engine call). The real engine runs the same plans in the
// run-update, order and recreate tests.

const REG = '127.0.0.1:5999/team'
const checker: ImageChecker = {
  async check(ref) {
    return ref.original.endsWith('/db:1')
      ? { status: 'stale', remoteDigest: 'sha256:new' }
      : { status: 'fresh', remoteDigest: 'sha256:old' }
  },
}

function bed() {
  const engine = memoryEngine()
  for (const name of ['db', 'web', 'cache', 'vpn'])
    engine.addImage(`${REG}/${name}:1`, `sha256:${name}-old`, 'sha256:old')
  engine.remote.set(`${REG}/db:1`, { id: 'sha256:db-new', digest: 'sha256:new' })
  const db = engine.addContainer('db', `${REG}/db:1`)
  engine.addContainer('web', `${REG}/web:1`, { [LABELS.dependsOn]: 'db' })
  engine.addContainer('cache', `${REG}/cache:1`)
  engine.addContainer('vpn', `${REG}/vpn:1`, { [LABELS.enable]: 'false' }, { NetworkMode: `container:${db}` })
  engine.addContainer('watch', `${REG}/db:1`, { [LABELS.monitorOnly]: 'true' })
  return engine
}

async function planOn(engine: ReturnType<typeof memoryEngine>, extra: Partial<UpdateOptions> = {}) {
  const options: UpdateOptions = { engine, checker, ...extra }
  const ctx = createContext(options)
  const selection = await selectTargets(options, ctx)
  const check = await checkSelection(selection, options, ctx, createEngineCache(engine))
  const before = JSON.stringify(engine.calls)
  const plan = planUpdate(selection, check, options)
  expect(JSON.stringify(engine.calls)).toBe(before) // the plan asks the engine nothing
  return { plan, selection, check }
}

describe('planUpdate (pure, in-memory engine)', () => {
  it('recreates the stale container and what depends on it, dependencies first; never monitor-only or fresh ones', async () => {
    const { plan } = await planOn(bed())
    expect(plan.steps.map((s) => [s.report.name, s.restartOnly])).toEqual([
      ['db', false],
      ['web', true],
    ])
    expect(plan.added).toEqual([])
    expect(plan.self).toBeUndefined()
  })

  it('adds a container: network consumer outside the selection (restart only), unless disabled', async () => {
    const engine = bed()
    const db = engine.containerByName('db')!
    engine.addContainer('sidecar', `${REG}/cache:1`, { [LABELS.enable]: 'false' })
    // not selected (label-enable), uses db's network: recreated with it
    engine.addContainer('tunnel', `${REG}/vpn:1`, {}, { NetworkMode: `container:${db.Id}` })
    const { plan } = await planOn(engine, { labelEnable: true })
    expect(plan.steps).toEqual([])
    const all = await planOn(engine, { disabledNames: ['tunnel'] })
    expect(all.plan.steps.map((s) => s.report.name)).toEqual(['db', 'web'])
    const withTunnel = await planOn(engine, { names: ['db', 'web'] })
    expect(withTunnel.plan.steps.map((s) => [s.report.name, s.restartOnly])).toEqual([
      ['db', false],
      ['web', true],
      ['tunnel', true],
    ])
    expect(withTunnel.plan.added.map((r) => r.warnings)).toEqual([
      ['recreated because it uses the network of db'],
    ])
  })

  it('the own container is planned apart (updated last, by a helper), not among the steps', async () => {
    const engine = bed()
    const db = engine.containerByName('db')!
    const { plan } = await planOn(engine, { selfContainerId: db.Id })
    expect(plan.self?.report.name).toBe('db')
    expect(plan.steps.map((s) => s.report.name)).toEqual(['web'])
  })

  it('the same inputs give the same plan', async () => {
    const engine = bed()
    const { selection, check, plan } = await planOn(engine)
    expect(planUpdate(selection, check, {})).toEqual(plan)
  })
})
