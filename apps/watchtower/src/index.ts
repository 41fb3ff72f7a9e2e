export type { ResolveConfigOptions, ResolvedCli } from './config/resolve.ts'
export { resolveConfig } from './config/resolve.ts'
export type { LegacyNotificationConfig, LogFormat, LogLevel, WatchtowerConfig } from './config/types.ts'
export type { CliDeps, OutputStream } from './deps.ts'
export type { WatchtowerErrorCode } from './errors.ts'
export { ConfigError, WatchtowerError } from './errors.ts'
export { main } from './main.ts'
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
