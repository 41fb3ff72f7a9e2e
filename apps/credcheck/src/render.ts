import { createRedactor, stripControl } from '@watchtower-ts/credentials'
import type { CheckReport, StepReport } from './steps.ts'

const MARK: Record<StepReport['status'], string> = {
  ok: 'ok',
  warning: 'warn',
  skipped: 'skip',
  failed: 'FAIL',
  'not-run': '-',
}

/** One step as text: `  3. tls          ok     12 ms  https, verified ...` (+ notes when verbose). */
export function renderStepText(step: StepReport, verbose: boolean): string {
  const duration = step.durationMs === null ? '' : `${step.durationMs} ms`
  const head = `${String(step.n).padStart(2)}. ${step.title.padEnd(12)} ${MARK[step.status].padEnd(5)} ${duration.padStart(7)}  ${step.summary}`
  const lines = [step.status === 'not-run' ? `${head.trimEnd()}  not run` : head.trimEnd()]
  if (step.error) lines.push(`${' '.repeat(10)}fix: ${step.error.fix}`)
  if (verbose) {
    for (const note of step.notes) lines.push(`${' '.repeat(10)}${note}`)
    const chain = step.details['causeChain']
    if (Array.isArray(chain)) for (const c of chain) lines.push(`${' '.repeat(10)}caused by: ${String(c)}`)
  } else if (step.status === 'warning') {
    for (const note of step.notes) lines.push(`${' '.repeat(10)}${note}`)
  }
  return `${lines.join('\n')}\n`
}

export function renderHeaderText(image: string): string {
  return `credcheck ${image}\n\n`
}

export function renderFooterText(report: CheckReport): string {
  if (report.ok) return `\nOK: every step passed (exit code ${report.exitCode})\n`
  const f = report.failure
  if (!f) return `\nFAILED (exit code ${report.exitCode})\n`
  return `\nFAILED at step "${f.step}" [${f.code}]: ${f.cause}\n  fix: ${f.fix}\n  exit code ${report.exitCode}\n`
}

export function renderJson(report: CheckReport): string {
  // strings a registry supplied are cleaned before JSON escapes their control characters (a consumer
  // printing a field, `jq -r`, would otherwise bring them back)
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'string' ? stripControl(value) : value), 2)}\n`
}

/**
 * Last line of defence, the project's one redaction path: every known secret (in every encoding),
 * URL userinfo, Authorization values and JWTs become `***`, and terminal control characters that
 * a registry or file supplied (a tag list with escape codes) are stripped, so nothing can redraw
 * the terminal. The probe never puts secrets into outcomes; this guards other packages' messages.
 */
export function redact(text: string, secrets: readonly string[]): string {
  return createRedactor({ secrets, minLength: 6 })(stripControl(text))
}
