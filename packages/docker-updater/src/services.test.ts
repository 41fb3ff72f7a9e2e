import type { ImageReference } from '@watchtower-ts/image-reference'
import { describe, expect, it } from 'vitest'
import { fakeSwarm } from '../test/fake-swarm.ts'
import { LABELS } from './labels.ts'
import { runUpdate } from './run-update.ts'
import type { RolledBackMemory } from './services.ts'
import { isSwarmTask, serviceImage } from './services.ts'
import type { ImageChecker, UpdateOptions } from './types.ts'

// Planning logic of swarm services against a fake manager (what a real swarm will not do on
// demand: paused updates, updates that never settle, concurrent changes). The real swarm is
// exercised in apps/watchtower/src/e2e/swarm.e2e.test.ts.

const R = '127.0.0.1:5000'
const d = (c: string) => `sha256:${c.repeat(64)}`

/** A registry where `tags[name:tag]` is the tag's current digest; records what was asked. */
function registry(tags: Record<string, string>) {
  const prepared: string[][] = []
  const checks: { ref: string; local: readonly string[] }[] = []
  const checker: ImageChecker = {
    prepare: (refs) => {
      prepared.push(refs.map((r) => r.original))
    },
    async check({ original: ref }, local) {
      checks.push({ ref, local })
      const remote = tags[ref]
      if (!remote) throw new Error(`manifest unknown: ${ref}`)
      return { status: local.some((l) => l.endsWith(`@${remote}`)) ? 'fresh' : 'stale', remoteDigest: remote }
    },
  }
  return { checker, prepared, checks, tags }
}

const fast = { pollIntervalMs: 1, sleep: async () => {} } satisfies Partial<UpdateOptions>
const auth = { engineAuth: async (ref: ImageReference) => `auth-for-${ref.original.split('/')[0]}` }

describe('swarm task containers', () => {
  it('are recognised by their com.docker.swarm.* labels', () => {
    expect(isSwarmTask({ 'com.docker.swarm.task.id': 'x' })).toBe(true)
    expect(isSwarmTask({ 'com.docker.swarm.service.name': 'web' })).toBe(true)
    expect(isSwarmTask({ 'com.docker.compose.service': 'web' })).toBe(false)
    expect(isSwarmTask(undefined)).toBe(false)
  })

  for (const role of ['manager', 'worker'] as const) {
    it(`are never recreated as plain containers, even unpinned and stale (${role})`, async () => {
      const swarm = fakeSwarm({
        role,
        containers: [
          {
            name: 'web.1.abcdefghijklmnopqrstuvwxy',
            image: `${R}/app:v1`, // a --no-resolve-image task: nothing pins it
            labels: {
              'com.docker.swarm.task.id': 'abcdefghijklmnopqrstuvwxy',
              'com.docker.swarm.service.name': 'web',
            },
          },
        ],
      })
      const reg = registry({ [`${R}/app:v1`]: d('b') })
      const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
      expect(report.containers).toEqual([])
      expect(report.swarm.taskContainers).toBe(1)
      expect(swarm.mutations).toEqual([])
      expect(reg.checks).toEqual([])
      if (role === 'worker') {
        expect(report.swarm.role).toBe('worker')
        expect(report.swarm.note).toMatch(/swarm worker: services are updated only through a manager/)
        expect(swarm.listServicesCalls()).toBe(0)
      }
    })
  }
})

describe('service images', () => {
  it('splits the pinned reference into name:tag and digest; explains what cannot be updated', () => {
    const spec = (Image: string) => ({ Name: 's', TaskTemplate: { ContainerSpec: { Image } } })
    expect(serviceImage(spec(`${R}/app:v1@${d('a')}`))).toEqual({
      tagRef: `${R}/app:v1`,
      pinned: d('a'),
      ref: expect.objectContaining({ name: `${R}/app`, tag: 'v1', pinned: false }),
    })
    expect(serviceImage(spec(`${R}/app:v1`))).toEqual({ skip: expect.stringMatching(/not pinned by digest/) })
    expect(serviceImage(spec(`${R}/app@${d('a')}`))).toEqual({ skip: expect.stringMatching(/without a tag/) })
  })
})

describe('services on a manager', () => {
  const services = () =>
    fakeSwarm({
      services: [
        { name: 'web', image: `${R}/app:v1@${d('a')}` },
        { name: 'api', image: `${R}/app:v1@${d('a')}`, mode: 'global' },
        { name: 'off', image: `${R}/app:v1@${d('a')}`, labels: { [LABELS.enable]: 'false' } },
        {
          name: 'on',
          image: `${R}/other:v1@${d('a')}`,
          labels: { [LABELS.enable]: 'true', [LABELS.scope]: 's1' },
        },
        { name: 'raw', image: `${R}/app:v1` },
      ],
    })

  it('selects services with the container rules, on the service labels', async () => {
    const names = async (o: Partial<UpdateOptions>) => {
      const swarm = services()
      const reg = registry({ [`${R}/app:v1`]: d('a'), [`${R}/other:v1`]: d('a') })
      const r = await runUpdate({
        engine: swarm.engine,
        checker: reg.checker,
        monitorOnly: true,
        ...fast,
        ...o,
      })
      return r.containers.map((c) => c.name).sort()
    }
    expect(await names({})).toEqual(['api', 'on', 'raw', 'web'])
    expect(await names({ labelEnable: true })).toEqual(['on'])
    expect(await names({ scope: 's1' })).toEqual(['on'])
    expect(await names({ names: ['web', 'o.*'] })).toEqual(['on', 'web']) // off: disabled by label
    expect(await names({ disabledNames: ['web', 'raw'] })).toEqual(['api', 'on'])
    expect(await names({ services: false })).toEqual([])
  })

  it('checks each distinct name:tag once, in the pass prepare(), with the spec pin as the local digest', async () => {
    const swarm = services()
    const reg = registry({ [`${R}/app:v1`]: d('a'), [`${R}/other:v1`]: d('a') })
    const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(reg.prepared).toEqual([[`${R}/app:v1`, `${R}/other:v1`]])
    expect(reg.checks).toEqual([
      { ref: `${R}/app:v1`, local: [`${R}/app@${d('a')}`] },
      { ref: `${R}/other:v1`, local: [`${R}/other@${d('a')}`] },
    ])
    const byName = Object.fromEntries(report.containers.map((c) => [c.name, c]))
    expect(byName.web).toMatchObject({
      kind: 'service',
      state: 'fresh',
      image: `${R}/app:v1`,
      oldImageId: d('a'),
    })
    expect(byName.raw).toMatchObject({ state: 'skipped', error: expect.stringMatching(/--no-resolve-image/) })
    expect(swarm.calls).toEqual([])
  })

  it('updates a stale service with ServiceUpdate: new name:tag@digest, version index, auth; nothing else changed', async () => {
    const swarm = services()
    const reg = registry({ [`${R}/app:v1`]: d('b'), [`${R}/other:v1`]: d('a') })
    const before = structuredClone(swarm.service('web'))
    const report = await runUpdate({
      engine: swarm.engine,
      checker: reg.checker,
      auth,
      names: ['web', 'api'],
      ...fast,
    })
    expect(report.containers.map((c) => [c.name, c.state, c.newImageId])).toEqual([
      ['api', 'updated', d('b')],
      ['web', 'updated', d('b')],
    ])
    expect(report.counts.updated).toBe(2)
    const call = swarm.calls.find((c) => c.id === before.ID)!
    expect(call.version).toBe(before.Version.Index)
    expect(call.auth).toBe('auth-for-127.0.0.1:5000')
    const expected = structuredClone(before.Spec)
    expected.TaskTemplate.ContainerSpec!.Image = `${R}/app:v1@${d('b')}`
    expect(call.spec).toEqual(expected) // ForceUpdate, UpdateConfig, Mode... untouched
    expect(call.spec.TaskTemplate.ForceUpdate).toBe(3)
    expect(swarm.mutations).toEqual([])
  })

  it('the service the updater runs in is updated last, without waiting for it to settle', async () => {
    const swarm = services()
    swarm.script('web', { states: Array.from({ length: 100 }, () => ({ State: 'updating' })) })
    const reg = registry({ [`${R}/app:v1`]: d('b'), [`${R}/other:v1`]: d('a') })
    const report = await runUpdate({
      engine: swarm.engine,
      checker: reg.checker,
      names: ['web', 'api'],
      selfServiceId: swarm.idOf('web'),
      serviceTimeoutMs: 1,
      ...fast,
    })
    expect(swarm.calls.map((c) => c.spec.Name)).toEqual(['api', 'web'])
    expect(report.containers.find((c) => c.name === 'web')).toMatchObject({
      state: 'updated',
      warnings: [expect.stringMatching(/the service watchtower-ts runs in/)],
    })
  })

  it('monitor-only (flag or label) reports a stale service and never updates it', async () => {
    for (const o of [{ monitorOnly: true }, {}]) {
      const swarm = fakeSwarm({
        services: [
          {
            name: 'web',
            image: `${R}/app:v1@${d('a')}`,
            ...('monitorOnly' in o ? {} : { labels: { [LABELS.monitorOnly]: 'true' } }),
          },
        ],
      })
      const reg = registry({ [`${R}/app:v1`]: d('b') })
      const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast, ...o })
      expect(report.containers[0]).toMatchObject({ name: 'web', state: 'stale', newImageId: d('b') })
      expect(swarm.calls).toEqual([])
    }
  })

  it('a rolled-back update is reported as failed with the engine message and not retried until the tag moves', async () => {
    const swarm = fakeSwarm({ services: [{ name: 'web', image: `${R}/app:v1@${d('a')}` }] })
    const task = 'taskfailed000000000000000'
    swarm.script('web', {
      states: [
        { State: 'updating', Message: 'update in progress' },
        {
          State: 'rollback_started',
          Message: `update rolled back due to failure or early termination of task ${task}`,
        },
        { State: 'rollback_completed', Message: 'rollback completed' },
      ],
      tasks: [
        {
          ID: task,
          DesiredState: 'shutdown',
          Spec: { ContainerSpec: { Image: `${R}/app:v1@${d('b')}` } },
          Status: { State: 'failed', Err: 'task: non-zero exit (3)' },
        },
      ],
    })
    const reg = registry({ [`${R}/app:v1`]: d('b') })
    const memory: RolledBackMemory = new Map()
    const pass = () => runUpdate({ engine: swarm.engine, checker: reg.checker, rolledBack: memory, ...fast })
    const first = await pass()
    expect(first.containers[0]).toMatchObject({
      state: 'rolled-back',
      errorCode: 'WT_UPDATER_SERVICE_ROLLED_BACK',
      error: expect.stringContaining(`early termination of task ${task} (task: non-zero exit (3))`),
    })
    expect(swarm.service('web').Spec.TaskTemplate.ContainerSpec!.Image).toBe(`${R}/app:v1@${d('a')}`)
    const second = await pass()
    expect(second.containers[0]).toMatchObject({
      state: 'skipped',
      error: expect.stringMatching(/rolled back .*not retried until .*app:v1 points at another image/),
    })
    expect(swarm.calls).toHaveLength(1)

    // A --run-once has no memory: the cluster's task history tells it the same.
    const once = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(once.containers[0]).toMatchObject({
      state: 'skipped',
      errorCode: 'WT_UPDATER_SERVICE_ROLLED_BACK',
    })
    expect(swarm.calls).toHaveLength(1)

    reg.tags[`${R}/app:v1`] = d('c') // the tag moves: a new try
    const third = await pass()
    expect(third.containers[0]).toMatchObject({ state: 'updated', newImageId: d('c') })
    expect(swarm.calls).toHaveLength(2)
  })

  it('a tag moving back to an image the service ran before the rolled-back update is updated again', async () => {
    const old = `${R}/app:v1@${d('a')}`
    const swarm = fakeSwarm({
      services: [
        {
          name: 'web',
          image: `${R}/app:v1@${d('b')}`,
          // The tasks of the image the service ran before (a), long before the rollback.
          tasks: [
            {
              ID: 'taskold0000000000000000000',
              CreatedAt: '2026-01-01T00:00:00Z',
              DesiredState: 'shutdown',
              Spec: { ContainerSpec: { Image: old } },
              Status: { State: 'shutdown' },
            },
          ],
          updateStatus: {
            State: 'rollback_completed',
            StartedAt: '2026-12-01T00:00:00Z',
            Message: 'rollback completed',
          },
        },
      ],
    })
    const reg = registry({ [`${R}/app:v1`]: d('a') })
    const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: d('a') })
  })

  it('a paused update is failed with the engine message; a paused service is left alone later', async () => {
    const swarm = fakeSwarm({ services: [{ name: 'web', image: `${R}/app:v1@${d('a')}` }] })
    swarm.script('web', {
      states: [
        { State: 'updating' },
        { State: 'paused', Message: 'update paused due to failure or early termination of task x' },
      ],
    })
    const reg = registry({ [`${R}/app:v1`]: d('b') })
    const first = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(first.containers[0]).toMatchObject({
      state: 'failed',
      errorCode: 'WT_UPDATER_SERVICE_PAUSED',
      error: expect.stringContaining('update paused due to failure'),
    })
    // The paused spec already pins the tag's digest: still reported, not taken for fresh.
    const same = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(same.containers[0]).toMatchObject({ state: 'skipped', error: expect.stringMatching(/paused/) })
    reg.tags[`${R}/app:v1`] = d('c')
    const second = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(second.containers[0]).toMatchObject({ state: 'skipped', error: expect.stringMatching(/paused/) })
    expect(swarm.calls).toHaveLength(1)
  })

  it('an update that does not settle in time is reported as timed out', async () => {
    const swarm = fakeSwarm({ services: [{ name: 'web', image: `${R}/app:v1@${d('a')}` }] })
    swarm.script('web', { states: Array.from({ length: 100 }, () => ({ State: 'updating' })) })
    const reg = registry({ [`${R}/app:v1`]: d('b') })
    let t = 0
    const report = await runUpdate({
      engine: swarm.engine,
      checker: reg.checker,
      serviceTimeoutMs: 5_000,
      now: () => t,
      sleep: async (ms) => {
        t += ms
      },
      pollIntervalMs: 1000,
    })
    expect(report.containers[0]).toMatchObject({
      state: 'failed',
      errorCode: 'WT_UPDATER_SERVICE_TIMEOUT',
      error: expect.stringMatching(/did not finish updating service web within 5 s \(state updating\)/),
    })
  })

  it('a concurrent change (update out of sequence) fails clean', async () => {
    const swarm = fakeSwarm({ services: [{ name: 'web', image: `${R}/app:v1@${d('a')}` }] })
    swarm.script('web', {
      reject: 'engine updateService failed with 500: rpc error: code = Unknown desc = update out of sequence',
    })
    const reg = registry({ [`${R}/app:v1`]: d('b') })
    const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(report.containers[0]).toMatchObject({
      state: 'failed',
      errorCode: 'WT_UPDATER_SERVICE_CONFLICT',
      error: expect.stringMatching(/changed while it was being updated/),
    })
  })

  it('a service whose update is in progress is left alone', async () => {
    const swarm = fakeSwarm({
      services: [{ name: 'web', image: `${R}/app:v1@${d('a')}`, updateStatus: { State: 'updating' } }],
    })
    const reg = registry({ [`${R}/app:v1`]: d('b') })
    const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, ...fast })
    expect(report.containers[0]).toMatchObject({
      state: 'skipped',
      error: expect.stringMatching(/in progress/),
    })
    expect(swarm.calls).toEqual([])
  })

  it('containers: false leaves plain containers alone; a failed check is a skip with the reason', async () => {
    const swarm = fakeSwarm({
      services: [{ name: 'web', image: `${R}/gone:v1@${d('a')}` }],
      containers: [{ name: 'plain', image: `${R}/app:v1` }],
    })
    const reg = registry({})
    const report = await runUpdate({ engine: swarm.engine, checker: reg.checker, containers: false, ...fast })
    expect(report.containers.map((c) => [c.name, c.state])).toEqual([['web', 'skipped']])
    expect(report.containers[0]!.error).toMatch(/check of .*gone:v1 failed: manifest unknown/)
  })
})
