import type { RunContext } from './_context.ts'
import type { DockerEngine } from './engine.ts'
import { UpdaterError } from './errors.ts'
import type { UpdateEvent } from './types.ts'

/** Options → RunContext with the documented defaults. */
export function createContext(options: {
  engine: DockerEngine
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  pollIntervalMs?: number
  stopTimeoutMs?: number
  removeVolumes?: boolean
  healthTimeoutMs?: number
  onEvent?: (event: UpdateEvent) => void
  lifecycleHooks?: boolean
}): RunContext {
  return {
    engine: options.engine,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: options.now ?? Date.now,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    removeVolumes: options.removeVolumes ?? false,
    healthTimeoutMs: options.healthTimeoutMs ?? 60_000,
    emit: safeEmit(options.onEvent),
    lifecycleHooks: options.lifecycleHooks ?? false,
  }
}

/** Throws WT_UPDATER_INVALID_OPTION naming the first option that cannot work. */
export function validateOptions(options: Record<string, unknown>): void {
  const nonNegative = [
    'stopTimeoutMs',
    'healthTimeoutMs',
    'pollIntervalMs',
    'pullProgressIntervalMs',
    'cooldownDelayMs',
  ] as const
  for (const key of nonNegative) {
    const v = options[key]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new UpdaterError(
        'WT_UPDATER_INVALID_OPTION',
        `option ${key} must be a number >= 0 (got ${String(v)})`,
      )
    }
  }
  const c = options.concurrency
  if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 1)) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      `option concurrency must be an integer >= 1 (got ${String(c)})`,
    )
  }
  if (options.rollingRestart && options.monitorOnly) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      'options rollingRestart and monitorOnly cannot be combined',
    )
  }
  const selfUpdate = options.selfUpdate as { helperCommand?: unknown } | undefined
  const helper = selfUpdate?.helperCommand
  if (selfUpdate !== undefined && (!Array.isArray(helper) || helper.length === 0)) {
    throw new UpdaterError(
      'WT_UPDATER_INVALID_OPTION',
      'option selfUpdate.helperCommand must be a non-empty array',
    )
  }
}

/** A listener that throws must not break the pass. */
function safeEmit(listener: ((event: UpdateEvent) => void) | undefined): (event: UpdateEvent) => void {
  if (!listener) return () => {}
  return (event) => {
    try {
      listener(event)
    } catch {}
  }
}
