import { type RunContext, stopContainer } from './_context.ts'
import type { ContainerInspect, ContainerSummary, ImageInspect } from './engine.ts'
import { describeError, isUpdaterError, UpdaterError } from './errors.ts'
import { exclusionReason, flagOrLabel, imageNameOf, listStatuses } from './filters.ts'
import { EXIT_SKIP, runHook } from './hooks.ts'
import { LABELS, labelOf } from './labels.ts'
import { dependenciesOf, sortByDependencies } from './order.ts'
import {
  bringUp,
  parseAsideName,
  recoverLeftovers,
  removeOld,
  rollback,
  type SwapItem,
  type SwapState,
  setAside,
} from './recreate.ts'
import { planRecreate } from './recreate-plan.ts'
import { buildReport } from './report.ts'
import { createStalenessChecker } from './stale.ts'
import type { ContainerReport, UpdateOptions, UpdateReport } from './types.ts'

const bare = (name: string): string => name.replace(/^\//, '')

interface Action {
  c: ContainerInspect
  report: ContainerReport
  item: SwapItem
  state: SwapState
  restartOnly: boolean
  asideOk: boolean
}

/**
 * One update pass: settle leftovers → list → filter → order → check staleness → stop
 * (dependants first) → recreate (dependencies first) with health gate and rollback → cleanup.
 */
export async function runUpdate(options: UpdateOptions): Promise<UpdateReport> {
  const engine = options.engine
  const ctx: RunContext = {
    engine,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: options.now ?? Date.now,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    removeVolumes: options.removeVolumes ?? false,
    healthTimeoutMs: options.healthTimeoutMs ?? 60_000,
    emit: options.onEvent ?? (() => {}),
    lifecycleHooks: options.lifecycleHooks ?? false,
  }
  if (options.rollingRestart && options.monitorOnly) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      'rolling-restart cannot be combined with monitor-only',
    )
  }
  const recovered =
    options.recover === false
      ? []
      : await recoverLeftovers(
          ctx,
          await engine.listContainers({ all: true }),
          (c, original) => exclusionReason({ ...c, Name: `/${original}` }, options) === undefined,
        )

  // Filter on the listing (names and labels are in it); inspect only what is selected.
  const summaries = (await engine.listContainers({ statuses: listStatuses(options) })).filter(
    (s) => !s.Names.some((n) => parseAsideName(n, s.Id)),
  )
  // Names also lists link aliases (`/app/db`); the container's own name has a single slash.
  const ownName = (s: ContainerSummary) => s.Names.find((n) => n.lastIndexOf('/') === 0) ?? s.Names[0] ?? ''
  const idToName = (id: string) => {
    const s = summaries.find((x) => x.Id.startsWith(id))
    return s && ownName(s)
  }
  const selected: ContainerInspect[] = []
  for (const s of summaries) {
    const shallow = { Name: ownName(s), Config: { Labels: s.Labels ?? {} } } as ContainerInspect
    if (exclusionReason(shallow, options) !== undefined) continue
    const c = await engine.inspectContainer(s.Id).catch(() => undefined)
    if (c && exclusionReason(c, options) === undefined) selected.push(c)
  }
  const listed = selected
  const sorted = sortByDependencies(selected, (c) => dependenciesOf(c, listed, idToName))

  const images = new Map<string, Promise<ImageInspect | undefined>>()
  const imageOf = (id: string) => {
    if (!images.has(id))
      images.set(
        id,
        engine.inspectImage(id).catch(() => undefined),
      )
    return images.get(id)!
  }
  if (options.lifecycleHooks) await runChecks(ctx, sorted, 'pre-check')

  const stale = createStalenessChecker({
    engine,
    checker: options.checker,
    auth: options.auth,
    concurrency: options.concurrency ?? 4,
  })
  const reports = new Map<string, ContainerReport>()
  const monitorOnly = new Set<string>()
  await Promise.all(
    sorted.map(async (c) => {
      const ref = imageNameOf(c)
      const noPull = flagOrLabel(options.noPull, c.Config.Labels, LABELS.noPull, options.labelTakePrecedence)
      if (
        flagOrLabel(options.monitorOnly, c.Config.Labels, LABELS.monitorOnly, options.labelTakePrecedence)
      ) {
        monitorOnly.add(c.Id)
      }
      const result = await stale.staleness(c, await imageOf(c.Image), ref, noPull)
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
      }
      reports.set(c.Id, report)
    }),
  )

  // What to recreate: stale containers, and (transitively) everything that depends on one.
  const marked = new Set<string>()
  const actions: Action[] = []
  for (const c of sorted) {
    const report = reports.get(c.Id)!
    if (monitorOnly.has(c.Id) || report.state === 'skipped') continue
    const deps = dependenciesOf(c, listed, idToName)
    const restartOnly = report.state !== 'stale'
    if (restartOnly && !deps.some((d) => marked.has(d))) continue
    if (c.Id === options.selfContainerId) {
      report.warnings.push('this is the updater’s own container: self-update is left to the caller')
      continue
    }
    marked.add(bare(c.Name))
    const old = await imageOf(c.Image)
    const plan = planRecreate(c, old, { image: c.Config.Image, nameOf: idToName })
    const wasRunning = c.State.Running
    const gateLabel = labelOf(c.Config.Labels, LABELS.healthTimeout)
    const item: SwapItem = {
      old: c,
      plan,
      start: wasRunning || Boolean(options.reviveStopped),
      stopSignal: labelOf(c.Config.Labels, LABELS.stopSignal),
      healthTimeoutMs:
        gateLabel !== undefined && /^\d+$/.test(gateLabel) ? Number(gateLabel) * 1000 : ctx.healthTimeoutMs,
    }
    actions.push({ c, report, item, state: {}, restartOnly, asideOk: false })
  }

  const updatedImages = new Set<string>()
  if (options.noRestart) {
    for (const a of [...actions].reverse()) await stopAndRemove(ctx, options, a, updatedImages)
  } else if (options.rollingRestart) {
    for (const a of actions) {
      if (await prepare(ctx, options, a)) await finishSwap(ctx, a, updatedImages)
    }
  } else {
    for (const a of [...actions].reverse()) await prepare(ctx, options, a)
    for (const a of actions) if (a.asideOk) await finishSwap(ctx, a, updatedImages)
  }
  if (options.cleanup) await cleanupImages(ctx, updatedImages, reports)
  if (options.lifecycleHooks) {
    const after = await engine.listContainers({ statuses: ['running'] })
    const current = sorted
      .map((c) => after.find((s) => s.Names.includes(c.Name))?.Id)
      .filter((x) => x !== undefined)
    const fresh = await Promise.all(current.map((id) => engine.inspectContainer(id).catch(() => undefined)))
    await runChecks(
      ctx,
      fresh.filter((c) => c !== undefined),
      'post-check',
    )
  }
  return buildReport([...reports.values()], recovered)
}

/** Pre-update hook, rename aside, stop. False when the container must not be recreated. */
async function prepare(ctx: RunContext, options: UpdateOptions, a: Action): Promise<boolean> {
  if (options.lifecycleHooks && a.c.State.Running && !a.c.State.Restarting) {
    try {
      const r = await runHook(ctx, a.c, 'pre-update')
      if (r && r.exitCode === EXIT_SKIP) {
        a.report.state = 'skipped'
        a.report.error = `pre-update hook exited with ${EXIT_SKIP}: skipped for now`
        return false
      }
      if (r && r.exitCode !== 0) {
        throw new UpdaterError('WT_UPDATER_HOOK_FAILED', `pre-update hook exited with ${r.exitCode}`, {
          container: a.report.name,
        })
      }
    } catch (error) {
      fail(a, error, 'failed')
      return false
    }
  }
  try {
    await setAside(ctx, a.item, a.state)
    a.asideOk = true
    return true
  } catch (error) {
    await undo(ctx, a, error)
    return false
  }
}

async function finishSwap(ctx: RunContext, a: Action, updatedImages: Set<string>): Promise<void> {
  try {
    a.report.newId = await bringUp(ctx, a.item, a.state)
  } catch (error) {
    await undo(ctx, a, error)
    return
  }
  const warning = await removeOld(ctx, a.item)
  if (warning) a.report.warnings.push(warning)
  a.report.state = a.restartOnly ? 'restarted' : 'updated'
  if (!a.restartOnly) updatedImages.add(a.c.Image)
  if (ctx.lifecycleHooks && a.item.start) {
    const fresh = await ctx.engine.inspectContainer(a.report.newId).catch(() => undefined)
    if (fresh) {
      try {
        const r = await runHook(ctx, fresh, 'post-update')
        if (r && r.exitCode !== 0) a.report.warnings.push(`post-update hook exited with ${r.exitCode}`)
      } catch (error) {
        a.report.warnings.push(describeError(error))
      }
    }
  }
}

async function undo(ctx: RunContext, a: Action, error: unknown): Promise<void> {
  try {
    await rollback(ctx, a.item, a.state)
    fail(a, error, isUpdaterError(error) && error.code === 'WT_UPDATER_UNHEALTHY' ? 'rolled-back' : 'failed')
  } catch (rollbackError) {
    fail(
      a,
      new UpdaterError('WT_UPDATER_RECREATE_FAILED', describeError(error), { cause: rollbackError }),
      'failed',
    )
    a.report.warnings.push(describeError(rollbackError))
  }
}

function fail(a: Action, error: unknown, state: 'failed' | 'rolled-back'): void {
  a.report.state = state
  a.report.error = describeError(error)
  a.report.errorCode = isUpdaterError(error) ? error.code : 'WT_UPDATER_RECREATE_FAILED'
  delete a.report.newId
}

async function stopAndRemove(
  ctx: RunContext,
  options: UpdateOptions,
  a: Action,
  images: Set<string>,
): Promise<void> {
  try {
    if (options.lifecycleHooks && a.c.State.Running) await runHook(ctx, a.c, 'pre-update')
    await stopContainer(ctx, a.c, a.item.stopSignal)
    if (!a.c.HostConfig.AutoRemove)
      await ctx.engine.removeContainer(a.c.Id, { force: true, volumes: ctx.removeVolumes })
    a.report.state = a.restartOnly ? 'restarted' : 'updated'
    a.report.warnings.push('stopped and removed, not recreated (no-restart)')
    if (!a.restartOnly) images.add(a.c.Image)
  } catch (error) {
    fail(a, error, 'failed')
  }
}

async function runChecks(
  ctx: RunContext,
  containers: readonly ContainerInspect[],
  hook: 'pre-check' | 'post-check',
) {
  for (const c of containers) {
    if (!c.State.Running) continue
    try {
      await runHook(ctx, c, hook)
    } catch (error) {
      ctx.emit({ type: 'warning', container: bare(c.Name), message: describeError(error) })
    }
  }
}

/** Removes old images of updated containers once no container (in any state) uses them. */
async function cleanupImages(ctx: RunContext, images: Set<string>, reports: Map<string, ContainerReport>) {
  if (images.size === 0) return
  const inUse = new Set<string>()
  for (const s of await ctx.engine.listContainers({ all: true })) {
    const c = await ctx.engine.inspectContainer(s.Id).catch(() => undefined)
    if (c) inUse.add(c.Image)
  }
  for (const id of images) {
    if (inUse.has(id)) continue
    try {
      await ctx.engine.removeImage(id, { force: true })
    } catch (error) {
      const report = [...reports.values()].find((r) => r.oldImageId === id)
      report?.warnings.push(`cleanup of image ${id.slice(7, 19)} failed: ${describeError(error)}`)
    }
  }
}
