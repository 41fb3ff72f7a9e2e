import { CheckFailure, EXIT_CODES } from './failures.ts'
import { type Probe, STEPS, type StepDetails, type StepId } from './probe.ts'

export interface StepReport {
  n: number
  id: StepId
  title: string
  status: 'ok' | 'warning' | 'skipped' | 'failed' | 'not-run'
  durationMs: number | null
  summary: string
  details: StepDetails
  notes: string[]
  error?: { code: string; cause: string; fix: string }
}

export interface CheckReport {
  schemaVersion: 1
  image: string
  ok: boolean
  exitCode: number
  steps: StepReport[]
  /** The first failure, if any (same object as the failed step's `error`). */
  failure?: { step: StepId; code: string; cause: string; fix: string }
}

/** Runs the steps in order, timing each; stops at the first failure. */
export async function runSteps(
  image: string,
  probe: Probe,
  now: () => number,
  onStep?: (step: StepReport) => void,
): Promise<CheckReport> {
  const steps: StepReport[] = []
  let failure: CheckReport['failure']
  let exitCode: number = EXIT_CODES.ok
  for (const [i, { id, title, run }] of STEPS.entries()) {
    const base = { n: i + 1, id, title, notes: [] as string[] }
    if (failure) {
      const step: StepReport = { ...base, status: 'not-run', durationMs: null, summary: '', details: {} }
      steps.push(step)
      onStep?.(step)
      continue
    }
    const start = now()
    let step: StepReport
    try {
      const outcome = await probe[run]()
      step = {
        ...base,
        status: outcome.status,
        durationMs: now() - start,
        summary: outcome.summary,
        details: outcome.details,
        notes: outcome.notes ?? [],
      }
    } catch (error) {
      const known = error instanceof CheckFailure
      const code = known ? error.code : 'WT_CREDCHECK_INTERNAL'
      const cause = known ? error.message : `unexpected error: ${describeUnknown(error)}`
      const fix = known ? error.fix : 'this is a bug in credcheck; please report it with --verbose output'
      exitCode = known ? error.exitCode : EXIT_CODES.internal
      failure = { step: id, code, cause, fix }
      step = {
        ...base,
        status: 'failed',
        durationMs: now() - start,
        summary: cause,
        details: known && error.cause === undefined ? {} : { causeChain: causeChain(error) },
        error: { code, cause, fix },
      }
    }
    steps.push(step)
    onStep?.(step)
  }
  return {
    schemaVersion: 1,
    image,
    ok: failure === undefined,
    exitCode,
    steps,
    ...(failure ? { failure } : {}),
  }
}

function describeUnknown(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Messages (and codes) of the error's cause chain, for --verbose / JSON diagnosis. */
export function causeChain(error: unknown): string[] {
  const out: string[] = []
  let current: unknown = error instanceof CheckFailure ? error.cause : error
  for (let depth = 0; current !== undefined && current !== null && depth < 6; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      out.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message)
      current = current.cause
    } else {
      out.push(String(current))
      break
    }
  }
  return out
}
