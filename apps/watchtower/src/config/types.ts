export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
export type LogFormat = 'auto' | 'logfmt' | 'pretty' | 'json'

/** The legacy notification flags, as given (mapped to URLs by `legacyNotificationUrls`). */
export interface LegacyNotificationConfig {
  types: string[]
  emailFrom: string
  emailTo: string
  emailServer: string
  emailServerPort: number
  emailServerUser: string
  emailServerPassword: string
  emailServerTlsSkipVerify: boolean
  emailDelaySeconds: number
  emailSubjectTag: string
  slackHookUrl: string
  slackIdentifier: string
  slackChannel: string
  slackIconEmoji: string
  slackIconUrl: string
  msteamsHook: string
  msteamsData: boolean
  gotifyUrl: string
  gotifyToken: string
  gotifyTlsSkipVerify: boolean
}

/** The resolved configuration of one watchtower process. */
export interface WatchtowerConfig {
  /** The first (or only) engine of `dockerHosts`. */
  dockerHost: string
  /**
   * Every engine a pass covers: repeated `--host`, else `--hosts`/`WATCHTOWER_HOSTS`, else
   * `DOCKER_HOST` (one). Several engines share one registry session per pass.
   */
  dockerHosts: string[]
  /** With several engines: how many are updated at once (`--engine-concurrency`). */
  engineConcurrency: number
  tlsVerify: boolean
  apiVersion: string
  certPath: string
  /** Positional container names (exact, `/`-prefixed or whole-name regex). */
  containerNames: string[]
  intervalSeconds: number
  /** Effective schedule: the cron spec, or `@every <interval>s`. */
  schedule: string
  runOnce: boolean
  updateOnStart: boolean
  healthCheck: boolean
  noStartupMessage: boolean
  /** Internal (hidden flag): run as the helper container of a self-update (ids from its env). */
  selfUpdateHelper: boolean
  /** Heartbeat file ('' = the default path, written only inside a container). */
  heartbeatFile: string
  heartbeatIntervalMs: number
  cleanup: boolean
  removeVolumes: boolean
  noPull: boolean
  noRestart: boolean
  monitorOnly: boolean
  labelTakePrecedence: boolean
  rollingRestart: boolean
  stopTimeoutMs: number
  /** Health gate of a recreated container (its HEALTHCHECK); the per-container label wins. */
  healthTimeoutMs: number
  /** `--tag-policy`: digest (default), semver:patch, semver:minor, semver:major. */
  tagPolicy: string
  /** `--cooldown-delay`, ms; 0 = off. */
  cooldownDelayMs: number
  includeStopped: boolean
  includeRestarting: boolean
  reviveStopped: boolean
  lifecycleHooks: boolean
  warnOnHeadFailure: 'always' | 'never' | 'auto'
  labelEnable: boolean
  disableContainers: string[]
  /** NF: only containers using these images (parsed references). */
  monitorImageNames: string[]
  /** NF: never containers using these images. */
  skipImageNames: string[]
  scope: string
  /** Leave swarm services alone (they are updated by default on a manager). */
  noServices: boolean
  /** Leave plain containers alone (services only). */
  noContainers: boolean
  /** Wait for a service's rolling update to settle, ms. */
  serviceTimeoutMs: number
  httpApiUpdate: boolean
  httpApiPeriodicPolls: boolean
  httpApiMetrics: boolean
  /** Ours: the status page at / (the status API is on whenever the HTTP API is). */
  httpApiUi: boolean
  /** Ours: where the status is kept across restarts ('' = memory only). */
  stateFile: string
  httpApiToken: string
  httpApiHost: string
  httpApiPort: number
  registryCa: string
  registryCaValidate: boolean
  /** Refuse token realms on another host than the registry (`--registry-realm-same-host`). */
  registryRealmSameHost: boolean
  /** HOST[:PORT] list; `*` = every registry. */
  insecureRegistries: string[]
  logLevel: LogLevel
  logFormat: LogFormat
  noColor: boolean
  porcelain: string
  notificationUrls: string[]
  notificationsLevel: LogLevel
  notificationsDelaySeconds: number
  hostname: string
  notificationTemplate: string
  notificationReport: boolean
  notificationTitleTag: string
  notificationSkipTitle: boolean
  notificationLogStdout: boolean
  notificationSplitByContainer: boolean
  legacy: LegacyNotificationConfig
  /** Registry credentials from the environment (upstream REPO_USER / REPO_PASS). */
  repoUser: string
  repoPass: string
  /** Non-fatal remarks to log at startup. */
  warnings: string[]
  /** Where each flag's value came from: `default`, `env NAME`, `flag --name`. */
  sources: Record<string, string>
}
