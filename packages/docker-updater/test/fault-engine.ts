import type { DockerEngine } from '../src/engine.ts'
import { UpdaterError } from '../src/errors.ts'

export interface EngineCall {
  method: keyof DockerEngine
  args: unknown[]
}

/**
 * Wraps a real engine: records every call and, when `fault` matches (method + n-th call of it,
 * 1-based, optionally only for arguments that `when` accepts), throws instead of calling.
 */
export function recordingEngine(
  inner: DockerEngine,
  fault?: { method: keyof DockerEngine; nth?: number; when?: (args: unknown[]) => boolean },
): DockerEngine & { calls: EngineCall[]; injected: boolean } {
  const calls: EngineCall[] = []
  const counts = new Map<string, number>()
  const state = { injected: false }
  const wrapped = {} as Record<string, unknown>
  for (const method of Object.keys(inner) as Array<keyof DockerEngine>) {
    wrapped[method] = async (...args: unknown[]) => {
      calls.push({ method, args })
      if (fault && fault.method === method && !state.injected && (!fault.when || fault.when(args))) {
        const n = (counts.get(method) ?? 0) + 1
        counts.set(method, n)
        if (n === (fault.nth ?? 1)) {
          state.injected = true
          throw new UpdaterError('WT_UPDATER_ENGINE', `injected fault in ${method}`, { operation: method })
        }
      }
      return (inner[method] as (...a: unknown[]) => Promise<unknown>)(...args)
    }
  }
  Object.defineProperty(wrapped, 'calls', { value: calls })
  Object.defineProperty(wrapped, 'injected', { get: () => state.injected })
  return wrapped as unknown as DockerEngine & { calls: EngineCall[]; injected: boolean }
}
