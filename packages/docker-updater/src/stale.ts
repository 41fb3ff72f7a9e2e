import pLimit from 'p-limit'
import { createPullProgress } from './_pull-progress.ts'
import { parseImage, repositoryOf, sameRepositoryDigests } from './_reference.ts'
import type { ContainerInspect, DockerEngine, ImageInspect } from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import type { AuthProvider, ImageChecker, UpdateEvent } from './types.ts'

export type Staleness =
  | { state: 'fresh'; latestImageId: string }
  | { state: 'stale'; latestImageId: string }
  | { state: 'skipped'; reason: string; code?: string }

export interface StalenessContext {
  engine: DockerEngine
  checker: ImageChecker | undefined
  auth: AuthProvider | undefined
  concurrency: number
  /** Progress events (pull, found-stale). @default none */
  emit?: (event: UpdateEvent) => void
  /** @default Date.now */
  now?: () => number
  /** @default 5000 */
  pullProgressIntervalMs?: number
}

interface CheckOutcome {
  status: 'fresh' | 'stale'
  remoteDigest?: string
  forImageId: string
}

/**
 * One pass's staleness oracle: one registry check and at most one pull per distinct image
 * reference, however many containers share it; checks and pulls bounded by `concurrency`.
 */
export function createStalenessChecker(ctx: StalenessContext) {
  const limit = pLimit(ctx.concurrency)
  const checks = new Map<string, Promise<CheckOutcome>>()
  const pulls = new Map<string, Promise<void>>()
  let checkCalls = 0
  let pullCalls = 0
  const emit = ctx.emit ?? (() => {})
  const now = ctx.now ?? Date.now
  const bare = (name: string | undefined) => (name ?? '').replace(/^\//, '')

  const check = (ref: string, key: string, image: ImageInspect, digests: string[]): Promise<CheckOutcome> => {
    let p = checks.get(key)
    if (!p) {
      if (!ctx.checker)
        throw new UpdaterError('WT_UPDATER_INVALID_OPTION', 'no ImageChecker given (needed unless no-pull)')
      const checker = ctx.checker
      p = limit(async () => {
        checkCalls++
        const r = await checker.check(ref, digests)
        return { status: r.status, remoteDigest: r.remoteDigest, forImageId: image.Id }
      })
      checks.set(key, p)
    }
    return p
  }

  const pull = (ref: string, container: string): Promise<void> => {
    let p = pulls.get(ref)
    if (!p) {
      p = limit(async () => {
        pullCalls++
        const auth = await ctx.auth?.engineAuth(ref)
        emit({ type: 'pull', phase: 'begin', image: ref, container })
        const progress = createPullProgress({
          now,
          intervalMs: ctx.pullProgressIntervalMs ?? 5000,
          report: (t) => emit({ type: 'pull', phase: 'progress', image: ref, ...t }),
        })
        const started = now()
        await ctx.engine.pullImage(ref, {
          ...(auth === undefined ? {} : { auth }),
          onProgress: (m) => progress.message(m),
        })
        const { totalBytes } = progress.totals()
        emit({ type: 'pull', phase: 'end', image: ref, totalBytes, durationMs: now() - started })
      })
      pulls.set(ref, p)
    }
    return p
  }

  const localTagId = async (ref: string): Promise<string> => (await ctx.engine.inspectImage(ref)).Id

  async function staleness(
    container: ContainerInspect,
    image: ImageInspect | undefined,
    ref: string,
    noPull: boolean,
  ): Promise<Staleness> {
    const parsed = parseImage(ref)
    const started = now()
    const found = (latest: string | undefined) =>
      emit({
        type: 'found-stale',
        container: bare(container.Name),
        image: ref,
        ...(latest ? { latest } : {}),
        durationMs: now() - started,
      })
    if (parsed.isImageId) return skip(`image is referenced by ID (${ref}); there is no tag to update from`)
    if (parsed.digest !== undefined)
      return skip(`image is pinned by digest (${ref}); pinned images are not updated`)
    if (!image) return skip('no image info: the container image could not be inspected')
    try {
      if (noPull) {
        const latest = await localTagId(ref)
        if (latest !== container.Image) found(latest)
        return { state: latest === container.Image ? 'fresh' : 'stale', latestImageId: latest }
      }
      const digests = sameRepositoryDigests(parsed, image.RepoDigests ?? [])
      if (digests.length === 0) {
        return skip(
          `local-only image: no RepoDigest of ${repositoryOf(parsed)}, nothing to compare with the registry`,
        )
      }
      const key = `${repositoryOf(parsed)}:${parsed.tag ?? 'latest'}`
      let outcome = await check(ref, key, image, digests)
      let status = outcome.status
      if (outcome.forImageId !== image.Id) {
        if (outcome.remoteDigest !== undefined) {
          const remote = outcome.remoteDigest
          status = digests.some((d) => d.endsWith(`@${remote}`)) ? 'fresh' : 'stale'
        } else {
          outcome = await check(ref, `${key}|${image.Id}`, image, digests)
          status = outcome.status
        }
      }
      if (status === 'stale') {
        found(outcome.remoteDigest)
        try {
          await pull(ref, bare(container.Name))
        } catch (cause) {
          return skip(`pull of ${ref} failed: ${describeError(cause)}`, 'WT_UPDATER_PULL_FAILED')
        }
      }
      // As upstream: the local tag decides (a tag moved by hand also counts as stale).
      const latest = await localTagId(ref)
      if (status !== 'stale' && latest !== container.Image) found(latest)
      return { state: latest === container.Image ? 'fresh' : 'stale', latestImageId: latest }
    } catch (cause) {
      return skip(`check of ${ref} failed: ${describeError(cause)}`, 'WT_UPDATER_CHECK_FAILED')
    }
  }

  return {
    staleness,
    stats: () => ({ checks: checkCalls, pulls: pullCalls }),
  }
}

function skip(reason: string, code?: string): Staleness {
  return code === undefined ? { state: 'skipped', reason } : { state: 'skipped', reason, code }
}
