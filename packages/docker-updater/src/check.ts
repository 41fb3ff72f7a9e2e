import { type ImageReference, isImageId, tryParseReference } from '@watchtower-ts/image-reference'
import pLimit from 'p-limit'
import { runChecks } from './_actions.ts'
import type { RunContext } from './_context.ts'
import type { ContainerInspect, DockerEngine, ImageInspect } from './engine.ts'
import { flagOrLabel, imageNameOf } from './filters.ts'
import { LABELS } from './labels.ts'
import { policyOf } from './policy.ts'
import { bare, ENGINE_INSPECTS, type Selection } from './select.ts'
import { checkServices, type ServicePassOptions, type ServiceTarget, serviceRefs } from './services.ts'
import { createStalenessChecker } from './stale.ts'
import type { ContainerReport, UpdateOptions } from './types.ts'

/** Engine reads a pass makes more than once, asked once: image inspects and the API version. */
export interface EngineCache {
  imageOf(id: string): Promise<ImageInspect | undefined>
  /** The create body's shape depends on the API version (recreate-plan.ts): asked once per pass. */
  apiVersion(): Promise<string | undefined>
}

export function createEngineCache(engine: DockerEngine): EngineCache {
  let api: Promise<string | undefined> | undefined
  const images = new Map<string, Promise<ImageInspect | undefined>>()
  const limit = pLimit(ENGINE_INSPECTS)
  return {
    apiVersion: () => (api ??= engine.apiVersion().catch(() => undefined)),
    imageOf(id) {
      let p = images.get(id)
      if (!p) {
        p = limit(() => engine.inspectImage(id).catch(() => undefined))
        images.set(id, p)
      }
      return p
    },
  }
}

/** What the registry check found: one report per selected container and service. */
export interface CheckResult {
  /** By container id, in selection order. */
  reports: Map<string, ContainerReport>
  /** Ids of the containers that are only reported on (flag or label). */
  monitorOnly: Set<string>
  services: ServiceTarget[]
  /** Set when services are looked at (a swarm manager). */
  serviceOptions?: ServicePassOptions
}

const noPullOf = (options: UpdateOptions, c: ContainerInspect) =>
  flagOrLabel(options.noPull, c.Config.Labels, LABELS.noPull, options.labelTakePrecedence)

/** Every distinct image reference the check of `selection` asks a registry about. */
export function refsToCheck(selection: Selection, options: UpdateOptions): ImageReference[] {
  const refs = new Map<string, ImageReference>()
  for (const c of selection.containers) {
    const ref = imageNameOf(c)
    const parsed = noPullOf(options, c) || isImageId(ref) ? undefined : tryParseReference(ref)
    if (parsed && parsed.digest === undefined) refs.set(ref, parsed)
  }
  for (const ref of serviceRefs(selection.swarm.services)) refs.set(ref.original, ref)
  return [...refs.values()]
}

/**
 * Check: pre-check hooks, then the staleness of every selected container (registry check, pull of
 * what is stale) and service. The caller has called `checker.prepare` with `refsToCheck`.
 */
export async function checkSelection(
  selection: Selection,
  options: UpdateOptions,
  ctx: RunContext,
  cache: EngineCache,
): Promise<CheckResult> {
  const sorted = selection.containers
  if (options.lifecycleHooks) await runChecks(ctx, sorted, 'pre-check')
  const stale = createStalenessChecker({
    engine: options.engine,
    checker: options.checker,
    auth: options.auth,
    concurrency: options.concurrency ?? 4,
    emit: ctx.emit,
    now: ctx.now,
    ...(options.pullProgressIntervalMs === undefined
      ? {}
      : { pullProgressIntervalMs: options.pullProgressIntervalMs }),
  })
  const reports = new Map<string, ContainerReport>()
  const monitorOnly = new Set<string>()
  const swarmEngine = selection.swarm.engine
  const serviceOptions: ServicePassOptions | undefined = swarmEngine && {
    ...options,
    engine: swarmEngine,
    checker: options.checker,
    auth: options.auth,
    timeoutMs: options.serviceTimeoutMs ?? 600_000,
    memory: options.rolledBack ?? new Map(),
  }
  const serviceChecks = serviceOptions
    ? checkServices(serviceOptions, selection.swarm.services)
    : Promise.resolve([])
  await Promise.all(
    sorted.map(async (c) => {
      const ref = imageNameOf(c)
      const isMonitorOnly = flagOrLabel(
        options.monitorOnly,
        c.Config.Labels,
        LABELS.monitorOnly,
        options.labelTakePrecedence,
      )
      if (isMonitorOnly) monitorOnly.add(c.Id)
      const policy = policyOf(c, options, isMonitorOnly)
      const result =
        'error' in policy
          ? ({ state: 'skipped', reason: policy.error, code: 'WT_UPDATER_TAG_POLICY' } as const)
          : await stale.staleness(c, await cache.imageOf(c.Image), ref, noPullOf(options, c), policy)
      const report: ContainerReport = {
        id: c.Id,
        name: bare(c.Name),
        image: ref,
        oldImageId: c.Image,
        state: 'fresh',
        warnings: [],
      }
      if (result.state === 'skipped') {
        report.state = 'skipped'
        report.error = result.reason
        if (result.code) report.errorCode = result.code
      } else {
        report.newImageId = result.latestImageId
        report.state = result.state
        if (result.tagChange) report.tagChange = result.tagChange
        if (result.waiting) report.waiting = result.waiting
      }
      if ('notes' in result && result.notes) report.notes = result.notes
      reports.set(c.Id, report)
    }),
  )
  const services = await serviceChecks
  return { reports, monitorOnly, services, ...(serviceOptions ? { serviceOptions } : {}) }
}
