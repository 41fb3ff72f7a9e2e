import type { ImageReference } from '@watchtower-ts/image-reference'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  buildImage,
  docker,
  openRegistryChecker,
  pushBuilt,
  realEngine,
  removeContainers,
  removeImages,
  uniqueName,
} from '../test/bed.ts'
import { recordingEngine } from '../test/fault-engine.ts'
import type { ContainerInspect, DockerEngine, ImageInspect } from './engine.ts'
import { runUpdate } from './run-update.ts'
import { createStalenessChecker } from './stale.ts'
import type { AuthProvider } from './types.ts'

// Staleness against the real engine and the bed's open registry.
const P = uniqueName('wt-stale')
afterAll(async () => {
  await removeContainers(P)
  await removeImages(P)
})

const runC = (name: string, image: string) =>
  docker(['run', '-d', '--network', 'none', '--name', name, image])
const countingAuth = (value: string | undefined = undefined): AuthProvider & { calls: string[] } => {
  const calls: string[] = []
  return {
    calls,
    engineAuth: async (ref) => {
      calls.push(ref.original)
      return value
    },
  }
}

describe('staleness against the real registry', () => {
  it('fresh: digest matches a RepoDigest, one check for containers sharing a ref, no pull, no auth', async () => {
    const { ref } = await pushBuilt(`${P}/fresh`, 'v', 'v1')
    const names = [`${P}-f1`, `${P}-f2`, `${P}-f3`]
    for (const n of names) await runC(n, ref)
    const checker = openRegistryChecker()
    const auth = countingAuth()
    const engine = recordingEngine(realEngine())
    const prepared: (readonly string[])[] = []
    const report = await runUpdate({
      engine,
      checker: {
        check: (r, d) => checker.check(r, d),
        prepare: (refs) => void prepared.push(refs.map((r) => r.original)),
      },
      auth,
      names: [`${P}-f.`],
    })
    expect(report.containers.map((c) => c.state)).toEqual(['fresh', 'fresh', 'fresh'])
    expect(checker.calls).toEqual([ref])
    expect(prepared).toEqual([[ref]]) // announced once, before the checks, each ref once
    expect(auth.calls).toEqual([])
    expect(engine.calls.filter((c) => c.method === 'pullImage')).toEqual([])
  })

  it('stale: re-pushed tag is pulled once through the engine (with X-Registry-Auth) and the containers updated', async () => {
    const first = await pushBuilt(`${P}/stale`, 'v', 'v1')
    const names = [`${P}-s1`, `${P}-s2`]
    for (const n of names) await runC(n, first.ref)
    const second = await pushBuilt(`${P}/stale`, 'v', 'v2')
    await docker(['rmi', first.ref]) // the engine has no local copy of the new image: a real pull is needed
    const checker = openRegistryChecker()
    const auth = countingAuth('e30') // `{}`: anonymous X-Registry-Auth
    const engine = recordingEngine(realEngine())
    const report = await runUpdate({ engine, checker, auth, names: [`${P}-s.`], stopTimeoutMs: 5000 })
    expect(report.containers.map((c) => [c.state, c.newImageId])).toEqual([
      ['updated', second.id],
      ['updated', second.id],
    ])
    expect(report.containers[0]?.oldImageId).toBe(first.id)
    expect(checker.calls).toEqual([first.ref])
    expect(auth.calls).toEqual([first.ref])
    expect(engine.calls.filter((c) => c.method === 'pullImage').map((c) => c.args)).toEqual([
      [first.ref, { auth: 'e30', onProgress: expect.any(Function) }],
    ])
    for (const n of names)
      expect(await docker(['inspect', '--format', '{{.Image}} {{.State.Running}}', n])).toBe(
        `${second.id} true`,
      )
  })

  it('a private registry pull carries the credentials given by the AuthProvider', async () => {
    const repository = `alice/${P}-priv`
    const ref = `${bed.registries.basic.host}/${repository}:v`
    await buildImage(ref, 'v1')
    await docker(['push', ref]) // as alice (the bed's DOCKER_CONFIG)
    const n = `${P}-priv`
    await runC(n, ref)
    await buildImage(ref, 'v2')
    await docker(['push', ref])
    const newId = await docker(['image', 'inspect', '--format', '{{.Id}}', ref])
    await docker(['rmi', ref])
    const stale = { check: async () => ({ status: 'stale' as const }) }
    const { username, password } = bed.users.alice
    const engineAuth = Buffer.from(
      JSON.stringify({ username, password, serveraddress: bed.registries.basic.host }),
    )
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    const denied = await runUpdate({ engine: realEngine(), checker: stale, names: [n] })
    expect(denied.containers[0]).toMatchObject({ state: 'skipped', errorCode: 'WT_UPDATER_PULL_FAILED' })
    expect(denied.containers[0]?.error).not.toContain(password)
    const report = await runUpdate({
      engine: realEngine(),
      checker: stale,
      auth: countingAuth(engineAuth),
      names: [n],
    })
    expect(report.containers[0]).toMatchObject({ state: 'updated', newImageId: newId })
    expect(JSON.stringify(report)).not.toContain(engineAuth)
    expect(JSON.stringify(report)).not.toContain(password)
  })

  it('skips, without a check or pull, images pinned by digest, referenced by ID, or local-only', async () => {
    const { ref, digest, id } = await pushBuilt(`${P}/pinned`, 'v', 'v1')
    const repo = ref.slice(0, ref.lastIndexOf(':'))
    await runC(`${P}-k-digest`, `${repo}@${digest}`)
    await runC(`${P}-k-id`, id)
    await buildImage(`${P}-local:1`, 'v1')
    await runC(`${P}-k-local`, `${P}-local:1`)
    const checker = openRegistryChecker()
    const engine = recordingEngine(realEngine())
    const report = await runUpdate({ engine, checker, names: [`${P}-k-.*`] })
    const why = Object.fromEntries(
      report.containers.map((c) => [c.name.slice(P.length + 3), [c.state, c.error]]),
    )
    expect(why).toEqual({
      digest: ['skipped', expect.stringMatching(/pinned by digest/)],
      id: ['skipped', expect.stringMatching(/referenced by ID/)],
      local: ['skipped', expect.stringMatching(/local-only image/)],
    })
    expect(checker.calls).toEqual([])
    expect(engine.calls.filter((c) => c.method === 'pullImage')).toEqual([])
    expect(report.counts).toMatchObject({ skipped: 3, scanned: 0 })
  })

  it('a registry error is reported as skipped with the cause', async () => {
    const n = `${P}-gone`
    const { ref } = await pushBuilt(`${P}/gone`, 'v', 'v1')
    await runC(n, ref)
    const checker = { check: async () => Promise.reject(new Error('registry said 503')) }
    const report = await runUpdate({ engine: realEngine(), checker, names: [n] })
    expect(report.containers[0]).toMatchObject({
      state: 'skipped',
      errorCode: 'WT_UPDATER_CHECK_FAILED',
      error: expect.stringMatching(/registry said 503/),
    })
  })
})

describe('staleness checker (unit: a fake engine that only inspects images)', () => {
  it('bounds registry checks in flight and checks each distinct ref once', async () => {
    let inFlight = 0
    let max = 0
    const checked: string[] = []
    const checker = {
      async check({ original: ref }: ImageReference) {
        checked.push(ref)
        inFlight++
        max = Math.max(max, inFlight)
        await new Promise((r) => setTimeout(r, 5))
        inFlight--
        return { status: 'fresh' as const, remoteDigest: `sha256:${'1'.repeat(64)}` }
      },
    }
    const image = (ref: string): ImageInspect => ({
      Id: 'sha256:old',
      RepoDigests: [`${ref.split(':v')[0]}@sha256:${'1'.repeat(64)}`],
    })
    const engine = { inspectImage: async () => ({ Id: 'sha256:old' }) } as unknown as DockerEngine
    const oracle = createStalenessChecker({ engine, checker, auth: undefined, concurrency: 2 })
    const refs = Array.from({ length: 8 }, (_, i) => `127.0.0.1:1/r${i}:v`)
    const container = { Image: 'sha256:old' } as ContainerInspect
    const results = await Promise.all(
      [...refs, ...refs].map((ref) => oracle.staleness(container, image(ref), ref, false)),
    )
    expect(results.every((r) => r.state === 'fresh')).toBe(true)
    expect(max).toBe(2)
    expect(checked.sort()).toEqual([...refs].sort())
    expect(oracle.stats()).toEqual({ checks: 8, pulls: 0, tagLists: 0, configs: 0 })
  })
  it('reuses one check for containers of one ref on different local images (remote digest compared locally)', async () => {
    const calls: string[] = []
    const remote = `sha256:${'2'.repeat(64)}`
    const checker = {
      async check({ original: ref }: ImageReference, digests: readonly string[]) {
        calls.push(ref)
        return {
          status: digests.some((d) => d.endsWith(remote)) ? ('fresh' as const) : ('stale' as const),
          remoteDigest: remote,
        }
      },
    }
    const ref = '127.0.0.1:1/app:v'
    const engine = {
      inspectImage: async () => ({ Id: 'sha256:new' }),
      pullImage: async () => {},
    } as unknown as DockerEngine
    const oracle = createStalenessChecker({ engine, checker, auth: undefined, concurrency: 1 })
    const oldImage: ImageInspect = {
      Id: 'sha256:old',
      RepoDigests: [`127.0.0.1:1/app@sha256:${'1'.repeat(64)}`],
    }
    const newImage: ImageInspect = {
      Id: 'sha256:new',
      RepoDigests: [`127.0.0.1:1/app@${remote}`, `other/app@sha256:${'1'.repeat(64)}`],
    }
    const a = await oracle.staleness({ Image: 'sha256:old' } as ContainerInspect, oldImage, ref, false)
    const b = await oracle.staleness({ Image: 'sha256:new' } as ContainerInspect, newImage, ref, false)
    expect([a.state, b.state]).toEqual(['stale', 'fresh'])
    expect(calls).toEqual([ref])
    expect(oracle.stats()).toEqual({ checks: 1, pulls: 1, tagLists: 0, configs: 0 })
  })
})
