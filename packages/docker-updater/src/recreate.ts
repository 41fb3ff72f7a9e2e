import { healthGate, inspectOrGone, type RunContext, stopContainer } from './_context.ts'
import type { ContainerInspect, ContainerSummary } from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import { LABELS, labelOf } from './labels.ts'
import { type CreatePlan, planRecreate } from './recreate-plan.ts'
import type { RecoveryReport } from './types.ts'

/**
 * The swap keeps the old container until the new one is proven:
 * rename the old one aside (its new name records its id and whether it was running) →
 * stop it → create the new one under the original name → connect its other networks →
 * start → health gate → remove the old one. Any failure removes the new container and puts
 * the old one back, running if it was. A crash leaves the renamed container, which the next
 * run's `recoverLeftovers` restores or finishes. Renaming before stopping means no point of
 * the swap leaves an unmarked stopped container behind.
 */
export interface SwapItem {
  old: ContainerInspect
  plan: CreatePlan
  /** Start the new container (the old one was running, or revive-stopped). */
  start: boolean
  stopSignal: string | undefined
  healthTimeoutMs: number
}

export interface SwapState {
  aside?: string
  /** A stop signal was (or may have been) sent to the old container. */
  stopSent?: boolean
  newId?: string
}

const bare = (name: string): string => name.replace(/^\//, '')

export function asideName(c: ContainerInspect): string {
  return `${bare(c.Name)}.wt-old.${c.Id.slice(0, 12)}.${c.State.Running ? 'r' : 's'}`
}

/** `{ original, wasRunning }` when `name` is a renamed-aside container of this id. */
export function parseAsideName(
  name: string,
  id: string,
): { original: string; wasRunning: boolean } | undefined {
  const m = /^\/?(.+)\.wt-old\.([0-9a-f]{12})\.([rs])$/.exec(name)
  if (!m || !id.startsWith(m[2]!)) return undefined
  return { original: m[1]!, wasRunning: m[3] === 'r' }
}

/** Rename aside, then stop. */
export async function setAside(ctx: RunContext, item: SwapItem, state: SwapState): Promise<void> {
  const name = asideName(item.old)
  ctx.emit({ type: 'step', container: bare(item.old.Name), step: 'rename' })
  await ctx.engine.renameContainer(item.old.Id, name)
  state.aside = name
  ctx.emit({ type: 'step', container: bare(item.old.Name), step: 'stop' })
  state.stopSent = true
  await stopContainer(ctx, item.old, item.stopSignal)
}

/** Create under the original name, connect, start, health gate. Returns the new id. */
export async function bringUp(ctx: RunContext, item: SwapItem, state: SwapState): Promise<string> {
  const name = bare(item.old.Name)
  let t0 = ctx.now()
  const took = () => ctx.now() - t0
  ctx.emit({ type: 'create', phase: 'begin', container: name })
  ctx.emit({ type: 'step', container: name, step: 'create' })
  state.newId = await ctx.engine.createContainer(name, item.plan.body)
  for (const network of item.plan.extraNetworks) {
    ctx.emit({ type: 'step', container: name, step: `connect ${network.name}` })
    await ctx.engine.connectNetwork(network.name, state.newId, network.endpoint)
  }
  const containerId = state.newId
  ctx.emit({ type: 'create', phase: 'end', container: name, containerId, durationMs: took() })
  if (item.start) {
    t0 = ctx.now()
    ctx.emit({ type: 'start', phase: 'begin', container: name, containerId })
    ctx.emit({ type: 'step', container: name, step: 'start' })
    await ctx.engine.startContainer(state.newId)
    ctx.emit({ type: 'start', phase: 'end', container: name, containerId, durationMs: took() })
    t0 = ctx.now()
    ctx.emit({ type: 'step', container: name, step: 'health' })
    const health = await healthGate(ctx, state.newId, name, item.healthTimeoutMs)
    if (health !== 'off')
      ctx.emit({ type: 'healthy', container: name, containerId, health, durationMs: took() })
  }
  return state.newId
}

/** Removes the old container; a failure is only a warning (the next run finishes it). */
export async function removeOld(ctx: RunContext, item: SwapItem): Promise<string | undefined> {
  ctx.emit({ type: 'step', container: bare(item.old.Name), step: 'remove old' })
  try {
    await ctx.engine.removeContainer(item.old.Id, { force: true, volumes: ctx.removeVolumes })
    return undefined
  } catch (error) {
    if ((await inspectOrGone(ctx, item.old.Id)) === undefined) return undefined
    return `old container ${item.old.Id.slice(0, 12)} could not be removed (the next run retries): ${describeError(error)}`
  }
}

/** Undo: remove the new container, give the old one its name back, start it if it ran. */
export async function rollback(ctx: RunContext, item: SwapItem, state: SwapState): Promise<void> {
  const name = bare(item.old.Name)
  ctx.emit({ type: 'step', container: name, step: 'rollback' })
  try {
    if (state.newId !== undefined) {
      await ctx.engine
        .removeContainer(state.newId, { force: true, volumes: ctx.removeVolumes })
        .catch(async (e) => {
          if ((await inspectOrGone(ctx, state.newId!)) !== undefined) throw e
        })
    }
    const old = await inspectOrGone(ctx, item.old.Id)
    if (old === undefined) {
      // Auto-removed on stop: recreate it from its snapshot, on its old image.
      const snapshot = planRecreate(item.old, undefined, { image: item.old.Image })
      const id = await ctx.engine.createContainer(name, snapshot.body)
      for (const n of snapshot.extraNetworks) await ctx.engine.connectNetwork(n.name, id, n.endpoint)
      if (item.old.State.Running) await ctx.engine.startContainer(id)
      return
    }
    if (state.aside !== undefined && bare(old.Name) !== name) await ctx.engine.renameContainer(old.Id, name)
    if (item.old.State.Running) {
      // A stop signal may still be taking effect: let it finish (or force it), then start.
      if (state.stopSent) await stopContainer(ctx, old, item.stopSignal)
      const now = await ctx.engine.inspectContainer(old.Id)
      if (!now.State.Running) await ctx.engine.startContainer(old.Id)
    }
  } catch (cause) {
    throw new UpdaterError(
      'WT_UPDATER_ROLLBACK_FAILED',
      `rollback of ${name} failed; the old container is kept as ${state.aside ?? name} and the next run restores it`,
      { container: name, cause },
    )
  }
}

/** Settles swaps an earlier run left half-done (it was killed, or its rollback failed). */
export async function recoverLeftovers(
  ctx: RunContext,
  all: readonly ContainerSummary[],
  selected: (leftover: ContainerInspect, originalName: string) => boolean,
  selfId?: string,
): Promise<RecoveryReport[]> {
  const reports: RecoveryReport[] = []
  // A running self-update helper owns its two containers until it exits (self-update.ts).
  const helped = new Set(
    all
      .filter((s) => s.State === 'running' || s.State === 'created' || s.State === 'restarting')
      .map((s) => labelOf(s.Labels, LABELS.selfUpdateHelper))
      .filter((n) => n !== undefined),
  )
  for (const summary of all) {
    const marker = summary.Names.map((n) => parseAsideName(n, summary.Id)).find((m) => m !== undefined)
    if (!marker || summary.Id === selfId) continue
    const { original, wasRunning } = marker
    if (helped.has(original)) continue
    const shallow = { Name: `/${original}`, Config: { Labels: summary.Labels ?? {} } } as ContainerInspect
    if (!selected(shallow, original)) continue
    const leftoverInfo = await inspectOrGone(ctx, summary.Id).catch(() => undefined)
    if (!leftoverInfo || !selected(leftoverInfo, original)) continue
    const report: RecoveryReport = { name: original, leftoverId: summary.Id, action: 'restored' }
    try {
      const current = await inspectOrGone(ctx, original)
      // The instance running this recovery is alive: it is the new one and stays.
      let keepNew = current !== undefined && current.Id === selfId
      if (!keepNew && current?.State.Running && current.State.Health?.Status !== 'unhealthy') {
        keepNew = await healthGate(ctx, current.Id, original, ctx.healthTimeoutMs).then(
          () => true,
          () => false,
        )
      }
      if (keepNew) {
        await ctx.engine.removeContainer(summary.Id, { force: true, volumes: ctx.removeVolumes })
        report.action = 'finished'
      } else {
        if (current) await ctx.engine.removeContainer(current.Id, { force: true })
        await ctx.engine.renameContainer(summary.Id, original)
        if (wasRunning) {
          // A stop signal may already be on its way (the crash came after it): stop for sure, then start.
          await stopContainer(ctx, leftoverInfo, labelOf(leftoverInfo.Config.Labels, LABELS.stopSignal))
          await ctx.engine.startContainer(summary.Id)
        }
      }
      ctx.emit({ type: 'step', container: original, step: `recovered (${report.action})` })
    } catch (error) {
      report.error = describeError(error)
      ctx.emit({ type: 'warning', container: original, message: `recovery failed: ${report.error}` })
    }
    reports.push(report)
  }
  return reports
}
