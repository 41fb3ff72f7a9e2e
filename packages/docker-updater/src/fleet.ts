import type { ImageReference } from '@watchtower-ts/image-reference'
import pLimit from 'p-limit'
import { createContext, validateOptions } from './_options.ts'
import { checkSelection, createEngineCache, refsToCheck } from './check.ts'
import type { DockerEngine } from './engine.ts'
import { describeError, isUpdaterError } from './errors.ts'
import { executePlan } from './execute.ts'
import { planUpdate } from './plan.ts'
import { type Selection, selectTargets } from './select.ts'
import type { ImageChecker, ImagePlatform, UpdateEvent, UpdateOptions, UpdateReport } from './types.ts'

/** One engine of a fleet. */
export interface FleetEngine {
  /** How the engine is named in reports and events (its DOCKER_HOST, or a context name). */
  host: string
  engine: DockerEngine
  /** Id of the container this updater runs in, when it runs on this engine. */
  selfContainerId?: string
  /** Id of the swarm service this updater runs in, when this engine is its manager. */
  selfServiceId?: string
}

export interface FleetUpdateOptions
  extends Omit<UpdateOptions, 'engine' | 'selfContainerId' | 'selfServiceId' | 'onEvent'> {
  engines: readonly FleetEngine[]
  /** Engines updated at once (select, check and execute are each bounded by it). @default 4 */
  engineConcurrency?: number
  /** Every event of the pass, with the engine it happened on; never throws into the pass. */
  onEvent?: (event: UpdateEvent, host: string) => void
}

/** One engine's outcome: its report, or why it could not be (fully) updated. */
export interface EngineReport {
  host: string
  /** Absent when the engine failed before its report was complete. */
  report?: UpdateReport
  /** The error that stopped this engine's pass (unreachable, or failed mid-pass). */
  error?: { message: string; code?: string; phase: 'select' | 'check' | 'execute' }
}

export interface FleetReport {
  /** In the order the engines were given. */
  engines: EngineReport[]
}

/**
 * One pass over several engines with one registry session: every engine is selected with the same
 * rules; the registry check covers the union of their images once (one `prepare`, one `check` per
 * distinct image reference for the whole fleet); then each engine is checked (pulls are its own),
 * planned and executed exactly as `runUpdate` does, engines in parallel up to `engineConcurrency`.
 * An engine that cannot be reached or fails mid-pass is reported and does not stop the others.
 */
export async function runFleetUpdate(options: FleetUpdateOptions): Promise<FleetReport> {
  validateOptions(options as unknown as Record<string, unknown>)
  const limit = pLimit(options.engineConcurrency ?? 4)
  const checker = options.checker && shareChecker(options.checker)
  const passes = options.engines.map((target) => {
    const { engines: _e, engineConcurrency: _c, onEvent, ...rest } = options
    const engineOptions: UpdateOptions = {
      ...rest,
      engine: target.engine,
      ...(checker ? { checker } : {}),
      ...(target.selfContainerId ? { selfContainerId: target.selfContainerId } : {}),
      ...(target.selfServiceId ? { selfServiceId: target.selfServiceId } : {}),
      ...(onEvent ? { onEvent: (e: UpdateEvent) => onEvent(e, target.host) } : {}),
    }
    return { target, options: engineOptions, ctx: createContext(engineOptions) }
  })
  const selections = await Promise.all(
    passes.map((p) =>
      limit(async (): Promise<Selection | EngineReport> => {
        try {
          return await selectTargets(p.options, p.ctx)
        } catch (error) {
          return failed(p.target.host, error, 'select')
        }
      }),
    ),
  )
  const refs = new Map<string, ImageReference>()
  selections.forEach((s, i) => {
    if (!('host' in s)) for (const r of refsToCheck(s, passes[i]!.options)) refs.set(r.original, r)
  })
  await options.checker?.prepare?.([...refs.values()])
  const engines = await Promise.all(
    passes.map((p, i) =>
      limit(async (): Promise<EngineReport> => {
        const selection = selections[i]!
        if ('host' in selection) return selection
        const cache = createEngineCache(p.options.engine)
        let phase: 'check' | 'execute' = 'check'
        try {
          const check = await checkSelection(selection, p.options, p.ctx, cache)
          phase = 'execute'
          const plan = planUpdate(selection, check, p.options)
          return {
            host: p.target.host,
            report: await executePlan(selection, check, plan, p.options, p.ctx, cache),
          }
        } catch (error) {
          return failed(p.target.host, error, phase)
        }
      }),
    ),
  )
  return { engines }
}

function failed(host: string, error: unknown, phase: 'select' | 'check' | 'execute'): EngineReport {
  return {
    host,
    error: {
      message: describeError(error),
      ...(isUpdaterError(error) ? { code: error.code } : {}),
      phase,
    },
  }
}

/**
 * A checker shared by the engines of one pass: one `check` per image reference, whatever the
 * number of engines that run it; each engine's own RepoDigests are compared with the one remote
 * digest. Tag lists and image configs are asked once too. `prepare` is the fleet's (once, with
 * the union): the engines' own calls are left out.
 */
export function shareChecker(checker: ImageChecker): ImageChecker {
  const checks = new Map<
    string,
    Promise<{ status: 'fresh' | 'stale'; remoteDigest?: string; digests: string }>
  >()
  const tags = new Map<string, Promise<{ tags: readonly string[]; truncated?: boolean }>>()
  const configs = new Map<string, Promise<{ created?: number; platform?: ImagePlatform }>>()
  const shared: ImageChecker = {
    async check(imageRef, localRepoDigests) {
      const mine = [...localRepoDigests].sort().join(',')
      let p = checks.get(imageRef.original)
      if (!p) {
        p = checker.check(imageRef, localRepoDigests).then((r) => ({ ...r, digests: mine }))
        checks.set(imageRef.original, p)
      }
      const r = await p
      if (r.digests === mine)
        return r.remoteDigest === undefined
          ? { status: r.status }
          : { status: r.status, remoteDigest: r.remoteDigest }
      if (r.remoteDigest === undefined) return checker.check(imageRef, localRepoDigests)
      const remote = r.remoteDigest
      return {
        status: localRepoDigests.some((d) => d.endsWith(`@${remote}`)) ? 'fresh' : 'stale',
        remoteDigest: remote,
      }
    },
  }
  const listTags = checker.listTags
  if (listTags) {
    shared.listTags = (imageRef) => {
      let p = tags.get(imageRef.original)
      if (!p) {
        p = listTags.call(checker, imageRef)
        tags.set(imageRef.original, p)
      }
      return p
    }
  }
  const imageConfig = checker.imageConfig
  if (imageConfig) {
    shared.imageConfig = (imageRef, platform) => {
      const key = `${imageRef.original}|${platform.os}/${platform.architecture}/${platform.variant ?? ''}`
      let p = configs.get(key)
      if (!p) {
        p = imageConfig.call(checker, imageRef, platform)
        configs.set(key, p)
      }
      return p
    }
  }
  return shared
}
