import { type CliDeps, processDeps } from './deps.ts'
import { WatchtowerError } from './errors.ts'

/**
 * Runs the watchtower CLI with `argv` (arguments after the program name) and
 * returns the exit code. Every outside effect goes through `deps`.
 */
export async function main(argv: readonly string[], deps: Partial<CliDeps> = {}): Promise<number> {
  const d: CliDeps = { ...processDeps(), ...deps }
  const { createCli } = await import('./cli.ts')
  const cli = createCli(d)
  try {
    cli.parse(['node', 'watchtower', ...argv], { run: false })
    // a command's action returns its exit code (notify-upgrade returns nothing: 0)
    const code: unknown = await cli.runMatchedCommand()
    return typeof code === 'number' ? code : 0
  } catch (err) {
    if (err instanceof WatchtowerError) {
      d.stderr.write(`watchtower: ${err.message}\n`)
      return 1
    }
    d.stderr.write(
      `watchtower: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    return 1
  }
}

export type { ResolveConfigOptions, ResolvedCli } from './config/resolve.ts'
export { resolveConfig } from './config/resolve.ts'
export type { LegacyNotificationConfig, LogFormat, LogLevel, WatchtowerConfig } from './config/types.ts'
export type { CliDeps, OutputStream } from './deps.ts'
export type { WatchtowerErrorCode } from './errors.ts'
export { ConfigError, WatchtowerError } from './errors.ts'
export type { ScheduleSpec } from './schedule/spec.ts'
export { parseSchedule } from './schedule/spec.ts'
export type {
  ContainerReport,
  ContainerState,
  RunnerStats,
  SessionReport,
  SessionRequest,
  SessionRunner,
  SessionRunnerFactory,
} from './session/types.ts'
export { buildReport, emptyReport } from './session/types.ts'
