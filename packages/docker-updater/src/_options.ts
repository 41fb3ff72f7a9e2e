import type { RunContext } from './_context.ts'
import type { DockerEngine } from './engine.ts'
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
    emit: options.onEvent ?? (() => {}),
    lifecycleHooks: options.lifecycleHooks ?? false,
  }
}
