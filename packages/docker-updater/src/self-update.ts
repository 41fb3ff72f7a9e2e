import { healthGate, inspectOrGone, type RunContext, stopContainer } from './_context.ts'
import { createContext } from './_options.ts'
import type { ContainerInspect, ContainerSummary, DockerEngine } from './engine.ts'
import { describeError, isNotFound, UpdaterError } from './errors.ts'
import { LABELS, labelOf } from './labels.ts'
import { asideName, parseAsideName, type SwapItem } from './recreate.ts'
import { planRecreate } from './recreate-plan.ts'
import type { UpdateEvent } from './types.ts'

/**
 * Self-update: the one design, for every configuration (published ports, bridge and user-defined
 * networks, an HTTP API on a port, cleanup, scopes, rolling restart).
 *
 * The updater never stops its own container in the middle of a pass; it handles it last
 * (`startSelfUpdate`, in the running instance):
 *   1. rename the old container aside (`NAME.wt-old.<id12>.r`, the marker every swap uses);
 *   2. create the new container under NAME, **not started** (the old one still serves its ports);
 *   3. start a short-lived helper container from the NEW image (auto-remove, the old container's
 *      mounts, user and network mode, no published ports, no health check, labelled
 *      `…self-update-helper=NAME`, excluded from every watchtower) running `helperCommand`.
 * The helper (`completeSelfUpdate`): stop the old container (it finishes its pass and frees its
 * ports) → start the new one → health gate → remove the old one (and its image with cleanup).
 * A new container that exits or fails its health check is removed and the old one gets its name
 * back and is started again. The old one stops before the new one starts, and the new one is
 * removed before the old one starts again: at most one instance runs at any moment.
 *
 * Crash safety: the old container always carries the marker until it is removed, the new one
 * always carries NAME, and only a running helper may act on them. Whatever instance starts next
 * settles a half-done self-update (`settleSelfUpdate`, at its start, and the pass's recovery):
 * the new instance removes the old one; the old instance (started again by its restart policy or
 * by hand) removes a new one that is not running and takes its name back.
 */
export interface SelfUpdateOptions {
  /** Cmd of the helper container (appended to the new image's ENTRYPOINT), e.g. `['--self-update-helper']`. */
  helperCommand: readonly string[]
}

export interface SelfUpdateStart {
  newId: string
  helperId: string
}

/** Environment the helper container gets (read back by `selfUpdateFromEnv`). */
export const SELF_UPDATE_ENV = {
  old: 'WT_SELF_UPDATE_OLD',
  new: 'WT_SELF_UPDATE_NEW',
  cleanup: 'WT_SELF_UPDATE_CLEANUP',
  stopTimeoutMs: 'WT_SELF_UPDATE_STOP_TIMEOUT_MS',
  healthTimeoutMs: 'WT_SELF_UPDATE_HEALTH_TIMEOUT_MS',
} as const

const bare = (name: string): string => name.replace(/^\//, '')

/** Renames the old container aside, creates the new one (not started), starts the helper. */
export async function startSelfUpdate(
  ctx: RunContext,
  item: SwapItem,
  options: SelfUpdateOptions & { cleanup: boolean },
): Promise<SelfUpdateStart> {
  const old = item.old
  const name = bare(old.Name)
  if (!Array.isArray(options.helperCommand) || options.helperCommand.length === 0) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      `self-update of ${name} needs selfUpdate.helperCommand (the helper replaces this container)`,
      { container: name },
    )
  }
  ctx.emit({ type: 'step', container: name, step: 'self-update: rename' })
  await ctx.engine.renameContainer(old.Id, asideName(old))
  let newId: string | undefined
  let helperId: string | undefined
  try {
    ctx.emit({ type: 'step', container: name, step: 'self-update: create' })
    ctx.emit({ type: 'create', phase: 'begin', container: name })
    const createdAt = ctx.now()
    newId = await ctx.engine.createContainer(name, item.plan.body)
    ctx.emit({
      type: 'create',
      phase: 'end',
      container: name,
      containerId: newId,
      durationMs: ctx.now() - createdAt,
    })
    for (const n of item.plan.extraNetworks) await ctx.engine.connectNetwork(n.name, newId, n.endpoint)
    const scope = labelOf(old.Config.Labels, LABELS.scope)
    helperId = await ctx.engine.createContainer(`${name}.wt-helper.${newId.slice(0, 12)}`, {
      Image: item.plan.body.Image,
      Cmd: [...options.helperCommand],
      Env: [
        ...(old.Config.Env ?? []).filter((e) => !e.startsWith('WT_SELF_UPDATE_')),
        `${SELF_UPDATE_ENV.old}=${old.Id}`,
        `${SELF_UPDATE_ENV.new}=${newId}`,
        `${SELF_UPDATE_ENV.cleanup}=${options.cleanup ? '1' : '0'}`,
        `${SELF_UPDATE_ENV.stopTimeoutMs}=${ctx.stopTimeoutMs}`,
        `${SELF_UPDATE_ENV.healthTimeoutMs}=${item.healthTimeoutMs}`,
      ],
      ...(old.Config.User ? { User: old.Config.User } : {}),
      Labels: {
        [LABELS.enable]: 'false',
        [LABELS.selfUpdateHelper]: name,
        ...(scope !== undefined ? { [LABELS.scope]: scope } : {}),
      },
      Healthcheck: { Test: ['NONE'] },
      HostConfig: {
        Binds: old.HostConfig.Binds ?? null,
        Mounts: (old.HostConfig['Mounts'] as unknown) ?? null,
        GroupAdd: (old.HostConfig['GroupAdd'] as unknown) ?? null,
        NetworkMode: old.HostConfig.NetworkMode ?? 'default',
        AutoRemove: true,
      },
    })
    ctx.emit({ type: 'step', container: name, step: `self-update: helper ${helperId.slice(0, 12)}` })
    await ctx.engine.startContainer(helperId)
    return { newId, helperId }
  } catch (cause) {
    if (helperId !== undefined) await ctx.engine.removeContainer(helperId, { force: true }).catch(() => {})
    if (newId !== undefined) await ctx.engine.removeContainer(newId, { force: true }).catch(() => {})
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
  /** Remove the old image when no container uses it any more. @default false */
  cleanup?: boolean
  /** @default 10000 */
  stopTimeoutMs?: number
  /** @default 60000 */
  healthTimeoutMs?: number
  pollIntervalMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  onEvent?: (event: UpdateEvent) => void
}

/** Reads the helper's options from its environment (see `SELF_UPDATE_ENV`); undefined when absent. */
export function selfUpdateFromEnv(
  env: Record<string, string | undefined>,
):
  | Pick<CompleteSelfUpdateOptions, 'oldId' | 'newId' | 'cleanup' | 'stopTimeoutMs' | 'healthTimeoutMs'>
  | undefined {
  const oldId = env[SELF_UPDATE_ENV.old]
  const newId = env[SELF_UPDATE_ENV.new]
  if (!oldId || !newId) return undefined
  const num = (key: string) => {
    const v = Number(env[key])
    return env[key] !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined
  }
  const stop = num(SELF_UPDATE_ENV.stopTimeoutMs)
  const health = num(SELF_UPDATE_ENV.healthTimeoutMs)
  return {
    oldId,
    newId,
    cleanup: env[SELF_UPDATE_ENV.cleanup] === '1',
    ...(stop !== undefined ? { stopTimeoutMs: stop } : {}),
    ...(health !== undefined ? { healthTimeoutMs: health } : {}),
  }
}

/**
 * The helper's half: stop the old container (its ports are released), start the new one, health
 * gate, remove the old one (and, with cleanup, its image). On failure the new container is
 * removed and the old one gets its name back and runs again. Returns what happened.
 */
export async function completeSelfUpdate(
  options: CompleteSelfUpdateOptions,
): Promise<'finished' | 'restored'> {
  const ctx = createContext({ ...options, removeVolumes: false })
  const old = await ctx.engine.inspectContainer(options.oldId)
  const original = parseAsideName(old.Name, old.Id)?.original ?? bare(old.Name)
  try {
    ctx.emit({ type: 'step', container: original, step: 'self-update: stop old' })
    await stopContainer(ctx, old, labelOf(old.Config.Labels, LABELS.stopSignal)) // emits stop begin/end
    ctx.emit({ type: 'step', container: original, step: 'self-update: start new' })
    ctx.emit({ type: 'start', phase: 'begin', container: original, containerId: options.newId })
    let t = ctx.now()
    await ctx.engine.startContainer(options.newId)
    ctx.emit({
      type: 'start',
      phase: 'end',
      container: original,
      containerId: options.newId,
      durationMs: ctx.now() - t,
    })
    ctx.emit({ type: 'step', container: original, step: 'self-update: health' })
    t = ctx.now()
    await healthGate(ctx, options.newId, original, ctx.healthTimeoutMs)
    const fresh = await inspectOrGone(ctx, options.newId)
    ctx.emit({
      type: 'healthy',
      container: original,
      containerId: options.newId,
      health: fresh?.State.Health?.Status === 'healthy' ? 'healthy' : 'running',
      durationMs: ctx.now() - t,
    })
  } catch (error) {
    const rollbackAt = ctx.now()
    ctx.emit({ type: 'step', container: original, step: 'self-update: rollback' })
    await ctx.engine.removeContainer(options.newId, { force: true }).catch(async (e) => {
      if ((await inspectOrGone(ctx, options.newId)) !== undefined) throw e
    })
    if ((await inspectOrGone(ctx, old.Id)) !== undefined) {
      await ctx.engine.renameContainer(old.Id, original)
      await ctx.engine.startContainer(old.Id)
    } else {
      // Auto-removed on stop: recreate it from its snapshot, on its old image.
      const snapshot = planRecreate(old, undefined, { image: old.Image })
      const id = await ctx.engine.createContainer(original, snapshot.body)
      for (const n of snapshot.extraNetworks) await ctx.engine.connectNetwork(n.name, id, n.endpoint)
      await ctx.engine.startContainer(id)
    }
    ctx.emit({
      type: 'rolled-back',
      container: original,
      containerId: options.newId,
      reason: describeError(error),
      durationMs: ctx.now() - rollbackAt,
    })
    ctx.emit({
      type: 'warning',
      container: original,
      message: `self-update rolled back, the old container runs again: ${describeError(error)}`,
    })
    return 'restored'
  }
  await ctx.engine.removeContainer(old.Id, { force: true }).catch((e) => {
    if (!isNotFound(e)) throw e
  })
  if (options.cleanup) await removeImageIfUnused(ctx, old.Image)
  return 'finished'
}

async function removeImageIfUnused(ctx: RunContext, imageId: string): Promise<void> {
  for (const s of await ctx.engine.listContainers({ all: true })) {
    const c = await inspectOrGone(ctx, s.Id).catch(() => undefined)
    if (c?.Image === imageId) return
  }
  await ctx.engine.removeImage(imageId, { force: true }).catch((error) => {
    ctx.emit({
      type: 'warning',
      message: `cleanup of image ${imageId.slice(7, 19)} failed: ${describeError(error)}`,
    })
  })
}

/** Name of the self-update that a running helper container is carrying out, if it is one. */
export function helperOf(s: Pick<ContainerSummary, 'State' | 'Labels'>): string | undefined {
  if (s.State !== 'running' && s.State !== 'created' && s.State !== 'restarting') return undefined
  return labelOf(s.Labels, LABELS.selfUpdateHelper)
}

export interface SettleSelfUpdateOptions {
  engine: DockerEngine
  /** The container this process runs in. */
  selfId: string
  /** Remove the old image when the new instance removes the old container. @default false */
  cleanup?: boolean
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  onEvent?: (event: UpdateEvent) => void
}

export type SettleResult =
  /** No self-update left half-done. */
  | 'none'
  /** A helper is at work: it finishes the self-update, nothing is touched. */
  | 'in-progress'
  /** This (new) instance removed the old container left behind. */
  | 'finished'
  /** This (old) instance removed a new container that was not running and took its name back. */
  | 'restored'
  /** This (old) instance found the new one running and removed itself. */
  | 'superseded'

/**
 * Run at the start of every instance that knows its container: settles a self-update an earlier
 * helper or instance left half-done (it crashed, the engine restarted). See `startSelfUpdate`.
 */
export async function settleSelfUpdate(options: SettleSelfUpdateOptions): Promise<SettleResult> {
  const ctx = createContext({ ...options, removeVolumes: false })
  const self = await ctx.engine.inspectContainer(options.selfId)
  const marker = parseAsideName(self.Name, self.Id)
  const original = marker?.original ?? bare(self.Name)
  const all = await ctx.engine.listContainers({ all: true })
  if (all.some((s) => helperOf(s) === original)) return 'in-progress'
  // Helpers are auto-removed; one the engine could not remove (it died with the engine) goes now.
  for (const s of all) {
    if (labelOf(s.Labels, LABELS.selfUpdateHelper) === original) {
      await ctx.engine.removeContainer(s.Id, { force: true }).catch(() => {})
    }
  }
  if (marker) {
    // This is the old instance, started again: the new one never ran (or stopped), so it goes.
    const current = await inspectOrGone(ctx, original)
    if (current?.State.Running) {
      // The new instance runs (its helper died before removing this one): it stays, this one goes.
      ctx.emit({
        type: 'warning',
        container: original,
        message: 'a newer instance runs: this old one removes itself',
      })
      await ctx.engine.removeContainer(self.Id, { force: true })
      return 'superseded'
    }
    if (current) await ctx.engine.removeContainer(current.Id, { force: true })
    await ctx.engine.renameContainer(self.Id, original)
    ctx.emit({
      type: 'warning',
      container: original,
      message: 'an unfinished self-update was undone: this instance keeps running',
    })
    return 'restored'
  }
  let result: SettleResult = 'none'
  for (const s of all) {
    if (s.Id === self.Id) continue
    const aside = s.Names.map((n) => parseAsideName(n, s.Id)).find((m) => m !== undefined)
    if (aside?.original !== original) continue
    const c = await inspectOrGone(ctx, s.Id)
    if (!c) continue
    await stopContainer(ctx, c, labelOf(c.Config.Labels, LABELS.stopSignal))
    await ctx.engine.removeContainer(c.Id, { force: true }).catch((e) => {
      if (!isNotFound(e)) throw e
    })
    if (options.cleanup && c.Image !== self.Image) await removeImageIfUnused(ctx, c.Image)
    ctx.emit({
      type: 'warning',
      container: original,
      message: `finished an unfinished self-update: removed the old container ${c.Id.slice(0, 12)}`,
    })
    result = 'finished'
  }
  return result
}

/**
 * True when `s` takes part in a self-update (a helper, a renamed-aside container, or the new
 * container of this renamed-aside instance): "remove other watchtower instances" leaves it alone.
 */
export function isSelfUpdateParty(
  s: Pick<ContainerSummary, 'Id' | 'Names' | 'Labels'>,
  self: Pick<ContainerInspect, 'Id' | 'Name'>,
): boolean {
  if (labelOf(s.Labels, LABELS.selfUpdateHelper) !== undefined) return true
  if (s.Names.some((n) => parseAsideName(n, s.Id) !== undefined)) return true
  const own = parseAsideName(self.Name, self.Id)
  return own !== undefined && s.Names.some((n) => bare(n) === own.original)
}
