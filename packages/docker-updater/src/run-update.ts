import { createContext, validateOptions } from './_options.ts'
import { checkSelection, createEngineCache, refsToCheck } from './check.ts'
import { executePlan } from './execute.ts'
import { planUpdate } from './plan.ts'
import { selectTargets } from './select.ts'
import type { UpdateOptions, UpdateReport } from './types.ts'

/**
 * One update pass on one engine, in four steps: select (settle leftovers, list, filter, inspect,
 * order: select.ts) → check (registry check, pull: check.ts) → plan (what to recreate, pure:
 * plan.ts) → execute (stop dependants first, recreate dependencies first, health gate, rollback,
 * cleanup: execute.ts). `runFleetUpdate` (fleet.ts) runs the same steps over several engines.
 */
export async function runUpdate(options: UpdateOptions): Promise<UpdateReport> {
  validateOptions(options as unknown as Record<string, unknown>)
  const ctx = createContext(options)
  const selection = await selectTargets(options, ctx)
  const cache = createEngineCache(options.engine)
  await options.checker?.prepare?.(refsToCheck(selection, options))
  const check = await checkSelection(selection, options, ctx, cache)
  const plan = planUpdate(selection, check, options)
  return executePlan(selection, check, plan, options, ctx, cache)
}
