import type { ContainerInspect, DockerEngine } from './engine.ts'
import { isNotFound, UpdaterError } from './errors.ts'
import type { UpdateEvent } from './types.ts'

/** What the swap, stop and hook helpers need from the options, with defaults applied. */
export interface RunContext {
  engine: DockerEngine
  sleep: (ms: number) => Promise<void>
  now: () => number
  pollIntervalMs: number
  stopTimeoutMs: number
  removeVolumes: boolean
  healthTimeoutMs: number
  emit: (event: UpdateEvent) => void
  lifecycleHooks: boolean
}

/** Inspect, or `undefined` when the container is gone. */
export async function inspectOrGone(ctx: RunContext, id: string): Promise<ContainerInspect | undefined> {
  try {
    return await ctx.engine.inspectContainer(id)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/**
 * Polls until `done(inspect)` is true (or the container is gone); false on timeout. The first
 * polls come quickly (10 ms, doubling up to `pollIntervalMs`): most containers stop or start
 * within a few tens of milliseconds, and a fixed interval made every swap wait for it.
 */
export async function waitFor(
  ctx: RunContext,
  id: string,
  timeoutMs: number,
  done: (c: ContainerInspect | undefined) => boolean,
): Promise<boolean> {
  const deadline = ctx.now() + timeoutMs
  for (let pause = Math.min(10, ctx.pollIntervalMs); ; pause = Math.min(pause * 2, ctx.pollIntervalMs)) {
    const c = await inspectOrGone(ctx, id)
    if (done(c)) return true
    if (ctx.now() >= deadline) return false
    await ctx.sleep(pause)
  }
}

/**
 * Stops a container: the stop-signal label, else its configured STOPSIGNAL (the image's unless
 * overridden), else SIGTERM; after `stopTimeoutMs` SIGKILL. Waits until it is not running.
 */
export async function stopContainer(
  ctx: RunContext,
  c: ContainerInspect,
  labelSignal: string | undefined,
): Promise<void> {
  const current = await inspectOrGone(ctx, c.Id)
  if (!current?.State.Running) return
  const signal = labelSignal || c.Config.StopSignal || 'SIGTERM'
  const container = displayName(c.Name)
  const started = ctx.now()
  ctx.emit({ type: 'stop', phase: 'begin', container, containerId: c.Id, signal })
  const done = () =>
    ctx.emit({ type: 'stop', phase: 'end', container, containerId: c.Id, durationMs: ctx.now() - started })
  try {
    await ctx.engine.killContainer(c.Id, signal)
  } catch (error) {
    // It stopped by itself between the inspect and the signal (409): that is what we wanted.
    if ((await inspectOrGone(ctx, c.Id))?.State.Running) throw error
    return done()
  }
  const stopped = (x: ContainerInspect | undefined) => !x?.State.Running
  if (await waitFor(ctx, c.Id, ctx.stopTimeoutMs, stopped)) return done()
  await ctx.engine.killContainer(c.Id, 'SIGKILL')
  if (!(await waitFor(ctx, c.Id, 30_000, stopped))) {
    throw new UpdaterError('WT_UPDATER_STOP_FAILED', `container ${c.Name} is still running after SIGKILL`, {
      container: c.Name,
    })
  }
  done()
}

/** The name a user knows: no leading `/`, no renamed-aside suffix (recreate.ts `asideName`). */
function displayName(name: string): string {
  return name.replace(/^\//, '').replace(/\.wt-old\.[0-9a-f]{12}\.[rs]$/, '')
}

/**
 * Health gate after start. With a healthcheck: wait for `healthy` (unhealthy, exit or timeout
 * fail). Without: the container must still be running. `timeoutMs` 0 turns the gate off.
 */
export async function healthGate(
  ctx: RunContext,
  id: string,
  name: string,
  timeoutMs: number,
): Promise<'off' | 'healthy' | 'running'> {
  if (timeoutMs <= 0) return 'off'
  let last: ContainerInspect | undefined
  const ok = await waitFor(ctx, id, timeoutMs, (c) => {
    last = c
    if (!c?.State.Running) return true
    const health = c.State.Health?.Status
    return health === undefined || health === 'healthy' || health === 'unhealthy'
  })
  const fail = (why: string) =>
    new UpdaterError('WT_UPDATER_UNHEALTHY', `new container ${name} ${why}`, {
      container: name,
      operation: 'healthGate',
    })
  if (!last) throw fail('disappeared after start')
  if (!last.State.Running) throw fail(`exited after start (exit code ${last.State.ExitCode ?? '?'})`)
  if (!ok) throw fail(`did not become healthy within ${timeoutMs} ms`)
  if (last.State.Health?.Status === 'unhealthy') throw fail('became unhealthy')
  return last.State.Health?.Status === 'healthy' ? 'healthy' : 'running'
}
