import { healthGate, inspectOrGone, type RunContext, stopContainer } from './_context.ts'
import { createContext } from './_options.ts'
import type { ContainerInspect, DockerEngine } from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import { LABELS, labelOf } from './labels.ts'
import { asideName, parseAsideName, type SwapItem } from './recreate.ts'

/**
 * Self-update without orphans or port conflicts.
 *
 * The updater never stops its own container in the middle of a pass. When that container is
 * stale it is handled last: it is renamed aside (the usual `NAME.wt-old.<id>.r` marker) and the
 * new container is created under the original name but not started, because the old one may
 * still hold published ports. Then:
 * - with `helperCommand`, a short-lived helper container (auto-remove, from the NEW image, same
 *   mounts and network as the old one, no published ports) is started with
 *   `WT_SELF_UPDATE_OLD` / `WT_SELF_UPDATE_NEW` in its environment; it runs the app's helper
 *   mode, which calls `completeSelfUpdate()`: stop the old container (ports released), start
 *   the new one, health gate, remove the old one — or put the old one back running on failure;
 * - without it, and when the container publishes no ports, the new container is started at once;
 *   on its first pass its recovery finds the old container (renamed aside) and removes it;
 * - without it and with published ports, nothing is touched and the container is reported skipped.
 * In every case at most one container carries the original name and the old one always carries
 * the marker, so a crash at any point is settled by the next pass's recovery.
 */
export interface SelfUpdateOptions {
  /** Cmd of the helper container (appended to the new image's ENTRYPOINT). @default undefined (no helper) */
  helperCommand?: readonly string[]
}

export interface SelfUpdateStart {
  newId: string
  helperId?: string
  note: string
}

const bare = (name: string): string => name.replace(/^\//, '')

function publishesPorts(c: ContainerInspect): boolean {
  return Object.values(c.HostConfig.PortBindings ?? {}).some((b) => Array.isArray(b) && b.length > 0)
}

/** Renames the old container aside, creates the new one (not started), then hands over. */
export async function startSelfUpdate(
  ctx: RunContext,
  item: SwapItem,
  options: SelfUpdateOptions,
): Promise<SelfUpdateStart> {
  const old = item.old
  const name = bare(old.Name)
  if (!options.helperCommand && publishesPorts(old)) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      `self-update of ${name} needs a helper command: it publishes ports the new container cannot bind while it runs`,
      { container: name },
    )
  }
  await ctx.engine.renameContainer(old.Id, asideName(old))
  let newId: string | undefined
  try {
    newId = await ctx.engine.createContainer(name, item.plan.body)
    for (const n of item.plan.extraNetworks) await ctx.engine.connectNetwork(n.name, newId, n.endpoint)
    if (!options.helperCommand) {
      await ctx.engine.startContainer(newId)
      return { newId, note: 'new instance started; it removes this one on its first pass' }
    }
    const mode = old.HostConfig.NetworkMode ?? 'default'
    const helperId = await ctx.engine.createContainer(`${name}.wt-helper.${newId.slice(0, 12)}`, {
      Image: item.plan.body.Image,
      Cmd: [...options.helperCommand],
      Env: [...(old.Config.Env ?? []), `WT_SELF_UPDATE_OLD=${old.Id}`, `WT_SELF_UPDATE_NEW=${newId}`],
      Labels: { [LABELS.enable]: 'false' },
      HostConfig: {
        Binds: old.HostConfig.Binds ?? null,
        Mounts: old.HostConfig.Mounts ?? null,
        NetworkMode: mode,
        AutoRemove: true,
      },
    })
    await ctx.engine.startContainer(helperId)
    return { newId, helperId, note: `handed over to helper container ${helperId.slice(0, 12)}` }
  } catch (cause) {
    if (newId !== undefined) await ctx.engine.removeContainer(newId, { force: true }).catch(() => undefined)
    await ctx.engine.renameContainer(old.Id, name).catch(() => undefined)
    throw new UpdaterError(
      'WT_UPDATER_RECREATE_FAILED',
      `self-update of ${name} failed: ${describeError(cause)}`,
      {
        container: name,
        cause,
      },
    )
  }
}

export interface CompleteSelfUpdateOptions {
  engine: DockerEngine
  /** The old container (renamed aside), e.g. from WT_SELF_UPDATE_OLD. */
  oldId: string
  /** The new container (created, not started), e.g. from WT_SELF_UPDATE_NEW. */
  newId: string
  /** @default 10000 */
  stopTimeoutMs?: number
  /** @default 60000 */
  healthTimeoutMs?: number
  pollIntervalMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/**
 * The helper's half of a self-update: stop the old container (its ports are released), start the
 * new one, health gate, remove the old one. On failure the new container is removed and the old
 * one gets its name back and is started again. Returns what happened.
 */
export async function completeSelfUpdate(
  options: CompleteSelfUpdateOptions,
): Promise<'finished' | 'restored'> {
  const ctx = createContext({ ...options, removeVolumes: false })
  const old = await ctx.engine.inspectContainer(options.oldId)
  const original = parseAsideName(old.Name, old.Id)?.original ?? bare(old.Name)
  try {
    await stopContainer(ctx, old, labelOf(old.Config.Labels, LABELS.stopSignal))
    await ctx.engine.startContainer(options.newId)
    await healthGate(ctx, options.newId, original, ctx.healthTimeoutMs)
  } catch (error) {
    await ctx.engine.removeContainer(options.newId, { force: true }).catch(() => undefined)
    if ((await inspectOrGone(ctx, old.Id)) !== undefined) {
      await ctx.engine.renameContainer(old.Id, original)
      await ctx.engine.startContainer(old.Id)
    }
    ctx.emit({
      type: 'warning',
      container: original,
      message: `self-update rolled back: ${describeError(error)}`,
    })
    return 'restored'
  }
  await ctx.engine.removeContainer(old.Id, { force: true })
  return 'finished'
}
