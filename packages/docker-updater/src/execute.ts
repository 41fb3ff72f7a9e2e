import {
  type Action,
  cleanupImages,
  fail,
  finishSwap,
  prepare,
  runChecks,
  stopAndRemove,
} from './_actions.ts'
import type { RunContext } from './_context.ts'
import type { CheckResult, EngineCache } from './check.ts'
import { UpdaterError } from './errors.ts'
import { LABELS, labelOf } from './labels.ts'
import type { PlanStep, UpdatePlan } from './plan.ts'
import type { SwapItem } from './recreate.ts'
import { planRecreate } from './recreate-plan.ts'
import { buildReport } from './report.ts'
import type { Selection } from './select.ts'
import { startSelfUpdate } from './self-update.ts'
import { updateService } from './services.ts'
import type { UpdateOptions, UpdateReport } from './types.ts'

/**
 * Execute a plan on its engine: services rolled out by the cluster meanwhile; containers stopped
 * (dependants first) and recreated (dependencies first), or one at a time with `rollingRestart`,
 * each behind the health gate with rollback; the own container last; cleanup; post-check hooks.
 */
export async function executePlan(
  selection: Selection,
  check: CheckResult,
  plan: UpdatePlan,
  options: UpdateOptions,
  ctx: RunContext,
  cache: EngineCache,
): Promise<UpdateReport> {
  const engine = options.engine
  const reports = check.reports
  for (const r of plan.added) reports.set(r.id, r)
  // The cluster rolls stale services out while the containers below are recreated.
  const serviceOptions = check.serviceOptions
  const serviceRuns = serviceOptions ? plan.services.map((t) => updateService(ctx, serviceOptions, t)) : []

  const actionOf = async ({ c, report, restartOnly }: PlanStep): Promise<Action> => {
    // A tag policy's move recreates the container on `name:newtag`; everything else stays.
    const image = report.tagChange && !restartOnly ? report.tagChange.newImage : c.Config.Image
    const version = await cache.apiVersion()
    const recreate = planRecreate(c, await cache.imageOf(c.Image), {
      image,
      nameOf: selection.nameOf,
      ...(version ? { apiVersion: version } : {}),
      ...(report.newImageId ? { newImageId: report.newImageId } : {}),
    })
    const gateLabel = labelOf(c.Config.Labels, LABELS.healthTimeout)
    const item: SwapItem = {
      old: c,
      plan: recreate,
      start: c.State.Running || Boolean(options.reviveStopped),
      stopSignal: labelOf(c.Config.Labels, LABELS.stopSignal),
      healthTimeoutMs:
        gateLabel !== undefined && /^\d+$/.test(gateLabel) ? Number(gateLabel) * 1000 : ctx.healthTimeoutMs,
    }
    return { c, report, item, state: {}, restartOnly, asideOk: false }
  }
  const actions: Action[] = []
  for (const step of plan.steps) actions.push(await actionOf(step))
  const self = plan.self && (await actionOf(plan.self))

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
  if (self && !options.noRestart) {
    // Never stopped mid-pass: handled last, by a helper container (self-update.ts).
    try {
      if (!options.selfUpdate) {
        throw new UpdaterError(
          'WT_UPDATER_INVALID_OPTION',
          `${self.report.name} is the container this updater runs in: its update needs option selfUpdate.helperCommand`,
          { container: self.report.name },
        )
      }
      const started = await startSelfUpdate(ctx, self.item, {
        ...options.selfUpdate,
        cleanup: Boolean(options.cleanup) && !self.restartOnly,
      })
      self.report.state = self.restartOnly ? 'restarted' : 'updated'
      self.report.newId = started.newId
    } catch (error) {
      fail(self, error, 'failed')
      ctx.emit({
        type: 'warning',
        container: self.report.name,
        message: `self-update not done: ${self.report.error}`,
      })
    }
  }
  if (options.cleanup) await cleanupImages(ctx, updatedImages, reports)
  if (options.lifecycleHooks) {
    const after = await engine.listContainers({ statuses: ['running'] })
    const current = selection.containers
      .map((c) => after.find((s) => s.Names.includes(c.Name))?.Id)
      .filter((x) => x !== undefined)
    const fresh = await Promise.all(current.map((id) => engine.inspectContainer(id).catch(() => undefined)))
    await runChecks(
      ctx,
      fresh.filter((c) => c !== undefined),
      'post-check',
    )
  }
  await Promise.all(serviceRuns)
  if (plan.ownService && serviceOptions)
    await updateService(ctx, { ...serviceOptions, noWait: true }, plan.ownService)
  return buildReport(
    [...reports.values(), ...check.services.map((t) => t.report)],
    selection.recovered,
    selection.swarmInfo,
  )
}
