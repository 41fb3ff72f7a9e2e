import pLimit from 'p-limit'
import type { RunContext } from './_context.ts'
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  ServiceInspect,
  SwarmEngine,
} from './engine.ts'
import { describeError } from './errors.ts'
import { exclusionReason, isDisabledName, listStatuses } from './filters.ts'
import { LABELS, parseBool } from './labels.ts'
import { dependenciesOf, sortByDependencies } from './order.ts'
import { parseAsideName, recoverLeftovers } from './recreate.ts'
import { isSwarmTask, type SwarmRole, selectServices, swarmRoleOf } from './services.ts'
import type { RecoveryReport, SwarmPassInfo, UpdateOptions } from './types.ts'

/** The engine's place in a swarm, and the services a manager selected. */
export interface SwarmSelection {
  role: SwarmRole
  services: ServiceInspect[]
  /** Set on a manager whose services are looked at. */
  engine?: SwarmEngine
  note?: string
}

/** What one pass looks at on one engine: the outcome of `selectTargets`. */
export interface Selection {
  /** Swaps an earlier run left half-done, settled before the listing. */
  recovered: RecoveryReport[]
  swarm: SwarmSelection
  swarmInfo: SwarmPassInfo
  /** The listing (swarm task and renamed-aside containers left out). */
  summaries: ContainerSummary[]
  /** Selected containers, inspected, dependencies first. */
  containers: ContainerInspect[]
  /**
   * Containers outside the selection that use another container's network (`container:` mode) and
   * are not disabled: recreated with their supplier (watchtower#1286), decided by the plan.
   */
  networkConsumers: ContainerInspect[]
  /** Container id (or a prefix of it) → its own name (with the leading `/`). */
  nameOf: (id: string) => string | undefined
}

const bare = (name: string): string => name.replace(/^\//, '')

/** Container and image inspects in flight at once (cheap engine reads; registry checks have their own bound). */
export const ENGINE_INSPECTS = 8

/** Names also lists link aliases (`/app/db`); the container's own name has a single slash. */
export const ownName = (s: ContainerSummary): string =>
  s.Names.find((n) => n.lastIndexOf('/') === 0) ?? s.Names[0] ?? ''

/**
 * Select: settle leftovers, list, filter on the listing, inspect what is selected and order it
 * (dependencies first); on a swarm manager, the services. Only reads the engine (and settles leftovers).
 */
export async function selectTargets(options: UpdateOptions, ctx: RunContext): Promise<Selection> {
  const engine = options.engine
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
  const swarm = await swarmPass(engine, options, ctx)
  const swarmInfo: SwarmPassInfo = {
    role: swarm.role,
    taskContainers: 0,
    services: swarm.services.length,
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
  const nameOf = (id: string) => {
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
  const containers = sortByDependencies(selected, (c) => dependenciesOf(c, selected, nameOf))

  const seen = new Set(selected.map((c) => c.Id))
  const networkConsumers: ContainerInspect[] = []
  for (const s of summaries) {
    const mode = s.HostConfig?.NetworkMode ?? ''
    if (seen.has(s.Id) || !mode.startsWith('container:') || selected.length === 0) continue
    if (parseBool(s.Labels?.[LABELS.enable]) === false || isDisabledName(ownName(s), options.disabledNames))
      continue
    const c = await engine.inspectContainer(s.Id).catch(() => undefined)
    if (c) networkConsumers.push(c)
  }
  return { recovered, swarm, swarmInfo, summaries, containers, networkConsumers, nameOf }
}

async function swarmPass(
  engine: DockerEngine,
  options: UpdateOptions,
  ctx: RunContext,
): Promise<SwarmSelection> {
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

export { bare }
