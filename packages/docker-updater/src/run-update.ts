import pLimit from 'p-limit'
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
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  ImageInspect,
  ServiceInspect,
  SwarmEngine,
} from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import { exclusionReason, flagOrLabel, imageNameOf, isDisabledName, listStatuses } from './filters.ts'
import { LABELS, labelOf, parseBool } from './labels.ts'
import { dependenciesOf, sortByDependencies } from './order.ts'
import { policyOf } from './policy.ts'
import { parseAsideName, recoverLeftovers, type SwapItem } from './recreate.ts'
import { planRecreate } from './recreate-plan.ts'
import { buildReport } from './report.ts'
import { startSelfUpdate } from './self-update.ts'
import {
  checkServices,
  isSwarmTask,
  type SwarmRole,
  selectServices,
  serviceRefs,
  swarmRoleOf,
  updateService,
} from './services.ts'
import { createStalenessChecker } from './stale.ts'
import type { ContainerReport, SwarmPassInfo, UpdateOptions, UpdateReport } from './types.ts'

const bare = (name: string): string => name.replace(/^\//, '')

/** Container inspects in flight at once (cheap engine reads; registry checks have their own bound). */
const ENGINE_INSPECTS = 8

/**
 * One update pass: settle leftovers → list → filter → order → check staleness → stop
 * (dependants first) → recreate (dependencies first) with health gate and rollback → cleanup.
 */
export async function runUpdate(options: UpdateOptions): Promise<UpdateReport> {
  const engine = options.engine
  validateOptions(options as unknown as Record<string, unknown>)
  const ctx = createContext(options)
  const containersOn = options.containers !== false
  // One listing serves the recovery and the pass; listed again only when the recovery changed something.
  const everything =
    options.recover === false || !containersOn ? undefined : await engine.listContainers({ all: true })
  const recovered = !everything
    ? []
    : await recoverLeftovers(
        ctx,
        everything.filter((c) => !isSwarmTask(c.Labels)),
        (c, original) => exclusionReason({ ...c, Name: `/${original}` }, options) === undefined,
        options.selfContainerId,
      )

  // Swarm: services are the cluster's to roll out; the containers of their tasks are never
  // recreated as plain containers (on a manager and on a worker alike).
  const swarm = await swarmPass()
  const services = swarm.services
  const swarmInfo: SwarmPassInfo = {
    role: swarm.role,
    taskContainers: 0,
    services: services.length,
    ...(swarm.note ? { note: swarm.note } : {}),
  }

  // Filter on the listing (names and labels are in it); inspect only what is selected.
  const statuses = listStatuses(options)
  const summaries = (
    !containersOn
      ? []
      : everything && recovered.length === 0
        ? everything.filter((s) => statuses.includes(s.State))
        : await engine.listContainers({ statuses })
  ).filter((s) => {
    if (isSwarmTask(s.Labels)) {
      swarmInfo.taskContainers++
      return false
    }
    return !s.Names.some((n) => parseAsideName(n, s.Id))
  })
  // Names also lists link aliases (`/app/db`); the container's own name has a single slash.
  const ownName = (s: ContainerSummary) => s.Names.find((n) => n.lastIndexOf('/') === 0) ?? s.Names[0] ?? ''
  const idToName = (id: string) => {
    const s = summaries.find((x) => x.Id.startsWith(id))
    return s && ownName(s)
  }
  // One inspect per listed container, ENGINE_INSPECTS at a time; the listing's order is kept.
  const inspectLimit = pLimit(ENGINE_INSPECTS)
  const inspected = await Promise.all(
    summaries.map((s) => {
      const shallow = { Name: ownName(s), Config: { Labels: s.Labels ?? {} } } as ContainerInspect
      if (exclusionReason(shallow, options) !== undefined) return undefined
      return inspectLimit(() => engine.inspectContainer(s.Id).catch(() => undefined))
    }),
  )
  const selected = inspected.filter(
    (c): c is ContainerInspect => c !== undefined && exclusionReason(c, options) === undefined,
  )
  const listed = selected
  const sorted = sortByDependencies(selected, (c) => dependenciesOf(c, listed, idToName))

  // The create body's shape depends on the API version (recreate-plan.ts): asked once per pass.
  let api: Promise<string | undefined> | undefined
  const apiVersion = () => {
    api ??= engine.apiVersion().catch(() => undefined)
    return api
  }
  const images = new Map<string, Promise<ImageInspect | undefined>>()
  const imageOf = (id: string) => {
    if (!images.has(id))
      images.set(
        id,
        inspectLimit(() => engine.inspectImage(id).catch(() => undefined)),
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
  for (const ref of serviceRefs(services)) toCheck.add(ref)
  await options.checker?.prepare?.([...toCheck])
  const serviceOptions = swarm.engine && {
    ...options,
    engine: swarm.engine,
    checker: options.checker,
    auth: options.auth,
    timeoutMs: options.serviceTimeoutMs ?? 600_000,
    memory: options.rolledBack ?? new Map(),
  }
  const serviceChecks = serviceOptions ? checkServices(serviceOptions, services) : Promise.resolve([])
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

  // The cluster rolls stale services out while the containers below are recreated.
  const serviceTargets = await serviceChecks
  const staleServices = serviceTargets.filter((t) => t.report.state === 'stale' && !t.monitorOnly)
  // The service this updater runs in goes last, once the others settled (its update replaces us).
  const own = staleServices.find((t) => t.service.ID === options.selfServiceId)
  const serviceRuns = staleServices
    .filter((t) => t !== own)
    .map((t) => updateService(ctx, serviceOptions!, t))

  const makeAction = async (
    c: ContainerInspect,
    report: ContainerReport,
    restartOnly: boolean,
  ): Promise<Action> => {
    // A tag policy's move recreates the container on `name:newtag`; everything else stays.
    const image = report.tagChange && !restartOnly ? report.tagChange.newImage : c.Config.Image
    const version = await apiVersion()
    const plan = planRecreate(c, await imageOf(c.Image), {
      image,
      nameOf: idToName,
      ...(version ? { apiVersion: version } : {}),
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
  await Promise.all(serviceRuns)
  if (own) await updateService(ctx, { ...serviceOptions!, noWait: true }, own)
  return buildReport([...reports.values(), ...serviceTargets.map((t) => t.report)], recovered, swarmInfo)

  async function swarmPass(): Promise<{
    role: SwarmRole
    services: ServiceInspect[]
    engine?: SwarmEngine
    note?: string
  }> {
    let role: SwarmRole
    try {
      role = await swarmRoleOf(engine)
    } catch (error) {
      const note = `could not read the engine's swarm state, services not looked at: ${describeError(error)}`
      ctx.emit({ type: 'warning', message: note })
      return { role: 'none', services: [], note }
    }
    if (role === 'none') return { role, services: [] }
    if (options.services === false)
      return { role, services: [], note: 'services are turned off (--no-services)' }
    if (role === 'worker') {
      return {
        role,
        services: [],
        note: 'this engine is a swarm worker: services are updated only through a manager (run watchtower-ts on a manager), their task containers here are left to the cluster',
      }
    }
    const swarmEngine = engine as DockerEngine & SwarmEngine
    const all = await swarmEngine.listServices()
    return { role, services: selectServices(all, options), engine: swarmEngine }
  }

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
