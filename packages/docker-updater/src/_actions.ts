import { type RunContext, stopContainer } from './_context.ts'
import type { ContainerInspect } from './engine.ts'
import { describeError, isUpdaterError, UpdaterError } from './errors.ts'
import { EXIT_SKIP, runHook } from './hooks.ts'
import { bringUp, removeOld, rollback, type SwapItem, type SwapState, setAside } from './recreate.ts'
import type { ContainerReport, UpdateOptions } from './types.ts'

const bare = (name: string): string => name.replace(/^\//, '')

export interface Action {
  c: ContainerInspect
  report: ContainerReport
  item: SwapItem
  state: SwapState
  restartOnly: boolean
  asideOk: boolean
}

/** Pre-update hook, rename aside, stop. False when the container must not be recreated. */
export async function prepare(ctx: RunContext, options: UpdateOptions, a: Action): Promise<boolean> {
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

export async function finishSwap(ctx: RunContext, a: Action, updatedImages: Set<string>): Promise<void> {
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
  const started = ctx.now()
  try {
    await rollback(ctx, a.item, a.state)
    ctx.emit({
      type: 'rolled-back',
      container: a.report.name,
      containerId: a.c.Id,
      reason: describeError(error),
      durationMs: ctx.now() - started,
    })
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

export function fail(a: Action, error: unknown, state: 'failed' | 'rolled-back'): void {
  a.report.state = state
  a.report.error = describeError(error)
  a.report.errorCode = isUpdaterError(error) ? error.code : 'WT_UPDATER_RECREATE_FAILED'
  delete a.report.newId
}

export async function stopAndRemove(
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

export async function runChecks(
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
export async function cleanupImages(
  ctx: RunContext,
  images: Set<string>,
  reports: Map<string, ContainerReport>,
) {
  if (images.size === 0) return
  const inUse = new Set<string>()
  for (const s of await ctx.engine.listContainers({ all: true })) {
    const c = await ctx.engine.inspectContainer(s.Id).catch(() => undefined)
    if (c) inUse.add(c.Image)
  }
  for (const id of images) {
    if (inUse.has(id)) continue
    ctx.emit({ type: 'remove-image', imageId: id })
    try {
      await ctx.engine.removeImage(id, { force: true })
    } catch (error) {
      const report = [...reports.values()].find((r) => r.oldImageId === id)
      report?.warnings.push(`cleanup of image ${id.slice(7, 19)} failed: ${describeError(error)}`)
    }
  }
}
