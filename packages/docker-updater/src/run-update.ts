import {
  type Action,
  cleanupImages,
  fail,
  finishSwap,
  prepare,
  runChecks,
  stopAndRemove,
} from './_actions.ts'
import { createContext, validateOptions } from './_options.ts'
import { parseImage } from './_reference.ts'
import type { ContainerInspect, ContainerSummary, ImageInspect } from './engine.ts'
import { UpdaterError } from './errors.ts'
import { exclusionReason, flagOrLabel, imageNameOf, isDisabledName, listStatuses } from './filters.ts'
import { LABELS, labelOf, parseBool } from './labels.ts'
import { dependenciesOf, sortByDependencies } from './order.ts'
import { policyOf } from './policy.ts'
import { parseAsideName, recoverLeftovers, type SwapItem } from './recreate.ts'
import { planRecreate } from './recreate-plan.ts'
import { buildReport } from './report.ts'
import { startSelfUpdate } from './self-update.ts'
import { createStalenessChecker } from './stale.ts'
import type { ContainerReport, UpdateOptions, UpdateReport } from './types.ts'

const bare = (name: string): string => name.replace(/^\//, '')

/**
 * One update pass: settle leftovers → list → filter → order → check staleness → stop
 * (dependants first) → recreate (dependencies first) with health gate and rollback → cleanup.
 */
export async function runUpdate(options: UpdateOptions): Promise<UpdateReport> {
  const engine = options.engine
  validateOptions(options as unknown as Record<string, unknown>)
  const ctx = createContext(options)
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
    emit: ctx.emit,
    now: ctx.now,
    ...(options.pullProgressIntervalMs === undefined
      ? {}
      : { pullProgressIntervalMs: options.pullProgressIntervalMs }),
  })
  const reports = new Map<string, ContainerReport>()
  const monitorOnly = new Set<string>()
  const noPullOf = (c: ContainerInspect) =>
    flagOrLabel(options.noPull, c.Config.Labels, LABELS.noPull, options.labelTakePrecedence)
  const toCheck = new Set<string>()
  for (const c of sorted) {
    const ref = imageNameOf(c)
    const parsed = parseImage(ref)
    if (!noPullOf(c) && !parsed.isImageId && parsed.digest === undefined) toCheck.add(ref)
  }
  await options.checker?.prepare?.([...toCheck])
  await Promise.all(
    sorted.map(async (c) => {
      const ref = imageNameOf(c)
      const noPull = noPullOf(c)
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
          : await stale.staleness(c, await imageOf(c.Image), ref, noPull, policy)
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

  const makeAction = async (
    c: ContainerInspect,
    report: ContainerReport,
    restartOnly: boolean,
  ): Promise<Action> => {
    // A tag policy's move recreates the container on `name:newtag`; everything else stays.
    const image = report.tagChange && !restartOnly ? report.tagChange.newImage : c.Config.Image
    const plan = planRecreate(c, await imageOf(c.Image), {
      image,
      nameOf: idToName,
      ...(report.newImageId ? { newImageId: report.newImageId } : {}),
    })
    const gateLabel = labelOf(c.Config.Labels, LABELS.healthTimeout)
    const item: SwapItem = {
      old: c,
      plan,
      start: c.State.Running || Boolean(options.reviveStopped),
      stopSignal: labelOf(c.Config.Labels, LABELS.stopSignal),
      healthTimeoutMs:
        gateLabel !== undefined && /^\d+$/.test(gateLabel) ? Number(gateLabel) * 1000 : ctx.healthTimeoutMs,
    }
    return { c, report, item, state: {}, restartOnly, asideOk: false }
  }

  // What to recreate: stale containers, and (transitively) everything that depends on one.
  const marked = new Set<string>()
  const actions: Action[] = []
  let self: Action | undefined
  for (const c of sorted) {
    const report = reports.get(c.Id)!
    if (monitorOnly.has(c.Id) || report.state === 'skipped') continue
    const deps = dependenciesOf(c, listed, idToName, { forRestart: true })
    const restartOnly = report.state !== 'stale'
    if (restartOnly && !deps.some((d) => marked.has(d))) continue
    marked.add(bare(c.Name))
    const action = await makeAction(c, report, restartOnly)
    if (c.Id === options.selfContainerId) self = action
    else actions.push(action)
  }

  await addNetworkConsumers(actions)

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
    // Never stopped mid-pass: handled last, handed over without a port conflict (self-update.ts).
    try {
      const started = await startSelfUpdate(ctx, self.item, options.selfUpdate ?? {})
      self.report.state = self.restartOnly ? 'restarted' : 'updated'
      self.report.newId = started.newId
      self.report.warnings.push(started.note)
    } catch (error) {
      fail(self, error, 'failed')
      if (error instanceof UpdaterError && error.code === 'WT_UPDATER_INVALID_OPTION')
        self.report.state = 'skipped'
    }
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

  /**
   * `container:` network consumers outside the selection lose their network when the supplier is
   * recreated (watchtower#1286): they are recreated too, unless disabled by label or name.
   */
  async function addNetworkConsumers(actions: Action[]): Promise<void> {
    const seen = new Set(selected.map((c) => c.Id))
    const queue = [...actions]
    for (let supplier = queue.shift(); supplier; supplier = queue.shift()) {
      for (const s of summaries) {
        const mode = s.HostConfig?.NetworkMode ?? ''
        if (seen.has(s.Id) || !mode.startsWith('container:')) continue
        const target = mode.slice('container:'.length)
        if (!supplier.c.Id.startsWith(target) && bare(target) !== bare(supplier.c.Name)) continue
        seen.add(s.Id)
        if (
          parseBool(s.Labels?.[LABELS.enable]) === false ||
          isDisabledName(ownName(s), options.disabledNames)
        )
          continue
        const c = await engine.inspectContainer(s.Id).catch(() => undefined)
        if (!c) continue
        const report: ContainerReport = {
          id: c.Id,
          name: bare(c.Name),
          image: imageNameOf(c),
          oldImageId: c.Image,
          state: 'fresh',
          warnings: [`recreated because it uses the network of ${bare(supplier.c.Name)}`],
        }
        reports.set(c.Id, report)
        const action = await makeAction(c, report, true)
        actions.push(action)
        queue.push(action)
      }
    }
  }
}
