// Every flag of the watchtower CLI: upstream (containrrr) names, env vars,
// shorthands and defaults, plus the fork flags we honour. One table feeds the
// argv parser, the env reader, the cac declarations and the grouped --help.

export type FlagKind = 'bool' | 'string' | 'int' | 'duration' | 'list' | 'array'

export type FlagGroup =
  | 'docker'
  | 'schedule'
  | 'update'
  | 'selection'
  | 'http'
  | 'registry'
  | 'logging'
  | 'notifications'
  | 'legacy'

export interface FlagSpec<Name extends string = string> {
  /** Long name without dashes, e.g. `stop-timeout`. */
  name: Name
  short?: string
  /** Env var(s) giving the default; the first is the documented one. */
  env?: string
  kind: FlagKind
  /** Default before env; durations in ms. */
  default: string | number | boolean | readonly string[]
  group: FlagGroup
  description: string
  /** Only these values are accepted (string kinds). */
  values?: readonly string[]
  /** The value may be a path to a file holding the secret (upstream rule). */
  secretFile?: boolean
  /** Never print the value. */
  sensitive?: boolean
  /** Placeholder in --help. */
  arg?: string
  /** Where the flag comes from when not upstream. */
  origin?: 'NF' | 'KP' | 'ours'
  hidden?: boolean
}

/** What the `b()` and `s()` shorthands take besides name, env, group and description. */
type FlagExtra = Partial<Omit<FlagSpec, 'name' | 'env' | 'kind' | 'default' | 'group' | 'description'>>

export const GROUP_TITLES: Record<FlagGroup, string> = {
  docker: 'Docker connection',
  schedule: 'Scheduling and run mode',
  update: 'Update behaviour',
  selection: 'Container selection (plus positional container names)',
  http: 'HTTP API',
  registry: 'Registry and TLS',
  logging: 'Logging',
  notifications: 'Notifications',
  legacy: 'Legacy notification flags (mapped onto notification URLs)',
}

const LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'] as const

function b<const Name extends string>(
  name: Name,
  env: string | undefined,
  group: FlagGroup,
  description: string,
  extra: FlagExtra = {},
): FlagSpec<Name> & { kind: 'bool'; default: boolean } {
  return { name, ...(env ? { env } : {}), kind: 'bool', default: false, group, description, ...extra }
}
function s<const Name extends string>(
  name: Name,
  env: string | undefined,
  group: FlagGroup,
  description: string,
  extra: FlagExtra & { default?: string } = {},
): FlagSpec<Name> & { kind: 'string'; default: string } {
  return { name, ...(env ? { env } : {}), kind: 'string', default: '', group, description, ...extra }
}

const W = 'WATCHTOWER_'
const N = `${W}NOTIFICATION_`

// One entry per flag. `as const` keeps each name (and kind) literal, so `FlagName` below is the
// union of every name and a misspelt name is a compile error wherever a flag is read.
const TABLE = [
  // Docker connection
  s(
    'host',
    'DOCKER_HOST',
    'docker',
    'Daemon socket to connect to (unix://, tcp://, ssh://user@host or a docker context name); repeat it to watch several engines in one pass',
    {
      short: 'H',
      default: 'unix:///var/run/docker.sock',
      arg: 'url',
    },
  ),
  {
    name: 'hosts',
    env: `${W}HOSTS`,
    kind: 'list',
    default: [],
    group: 'docker',
    description:
      'Several engines (comma list, as repeated --host): one pass and one registry session over all of them',
    arg: 'urls',
    origin: 'ours',
  },
  {
    name: 'engine-concurrency',
    env: `${W}ENGINE_CONCURRENCY`,
    kind: 'int',
    default: 4,
    group: 'docker',
    description: 'With several engines: how many are updated at once',
    arg: 'n',
    origin: 'ours',
  },
  b(
    'tlsverify',
    'DOCKER_TLS_VERIFY',
    'docker',
    'Use TLS when connecting to the daemon and verify the server certificate',
    {
      short: 'v',
    },
  ),
  s(
    'api-version',
    'DOCKER_API_VERSION',
    'docker',
    'Docker API version to use; empty negotiates with the daemon',
    {
      short: 'a',
      arg: 'version',
    },
  ),
  s('cert-path', 'DOCKER_CERT_PATH', 'docker', 'Folder with ca.pem, cert.pem, key.pem for --tlsverify', {
    arg: 'dir',
    origin: 'NF',
  }),
  // Scheduling
  {
    name: 'interval',
    short: 'i',
    env: `${W}POLL_INTERVAL`,
    kind: 'int',
    default: 86400,
    group: 'schedule',
    description: 'Poll interval in seconds',
    arg: 'seconds',
  },
  s(
    'schedule',
    `${W}SCHEDULE`,
    'schedule',
    'Cron spec with seconds (6 fields), @every 1h30m, @daily ... (TZ applies)',
    {
      short: 's',
      arg: 'spec',
    },
  ),
  b(
    'run-once',
    `${W}RUN_ONCE`,
    'schedule',
    'Run one update session and exit (non-zero when an update failed)',
    { short: 'R' },
  ),
  b(
    'update-on-start',
    `${W}UPDATE_ON_START`,
    'schedule',
    'Run a session at startup, then follow the schedule',
    {
      origin: 'NF',
    },
  ),
  b(
    'health-check',
    undefined,
    'schedule',
    'For Docker HEALTHCHECK: exit 0 when the running instance reached the engine and its schedule recently (heartbeat file)',
  ),
  s(
    'heartbeat-file',
    `${W}HEARTBEAT_FILE`,
    'schedule',
    'Heartbeat file the daemon keeps and --health-check reads (default /tmp/watchtower-ts/heartbeat.json, written only inside a container unless set)',
    { origin: 'ours', arg: 'path' },
  ),
  {
    name: 'heartbeat-interval',
    env: `${W}HEARTBEAT_INTERVAL`,
    kind: 'duration',
    default: 10_000,
    group: 'schedule',
    description:
      'How often the daemon pings the engine and writes its heartbeat; unhealthy after three intervals without an answer (Go duration)',
    arg: 'duration',
    origin: 'ours',
  },
  b(
    'self-update-helper',
    undefined,
    'schedule',
    'Internal: the helper container of a self-update (replaces the old watchtower container)',
    { origin: 'ours' },
  ),
  b(
    'no-startup-message',
    `${W}NO_STARTUP_MESSAGE`,
    'schedule',
    'Do not send the startup message as a notification',
  ),
  // Update behaviour
  b('cleanup', `${W}CLEANUP`, 'update', 'Remove old images after updating', { short: 'c' }),
  b('remove-volumes', `${W}REMOVE_VOLUMES`, 'update', 'Remove anonymous volumes with the old container'),
  b('no-pull', `${W}NO_PULL`, 'update', 'Never pull; update when the local tag points at a newer image'),
  b('no-restart', `${W}NO_RESTART`, 'update', 'Stop and remove stale containers but do not recreate them'),
  b('monitor-only', `${W}MONITOR_ONLY`, 'update', 'Only check and notify, never recreate', { short: 'm' }),
  b(
    'label-take-precedence',
    `${W}LABEL_TAKE_PRECEDENCE`,
    'update',
    'monitor-only / no-pull labels override the flags',
  ),
  b('rolling-restart', `${W}ROLLING_RESTART`, 'update', 'Restart containers one at a time'),
  {
    name: 'stop-timeout',
    short: 't',
    env: `${W}TIMEOUT`,
    kind: 'duration',
    default: 10_000,
    group: 'update',
    description: 'Time to wait after the stop signal before killing (Go duration)',
    arg: 'duration',
  },
  {
    name: 'health-timeout',
    env: `${W}HEALTH_TIMEOUT`,
    kind: 'duration',
    default: 60_000,
    group: 'update',
    description:
      'How long a recreated container with a HEALTHCHECK may take to become healthy before it is rolled back (Go duration)',
    arg: 'duration',
  },
  s(
    'tag-policy',
    `${W}TAG_POLICY`,
    'update',
    'Default tag policy: digest (same tag, new digest), semver:patch, semver:minor or semver:major (move to newer version tags); the tag-policy label wins',
    { values: ['', 'digest', 'semver:patch', 'semver:minor', 'semver:major'], arg: 'policy', origin: 'ours' },
  ),
  s(
    'cooldown-delay',
    `${W}COOLDOWN_DELAY`,
    'update',
    'Minimum age of a new image (its created time) before an update, e.g. 72h, 3d, 1w (units s, m, h, d, w, M; 0 = off); the cooldown-delay label wins',
    { arg: 'duration', origin: 'NF' },
  ),
  b('include-stopped', `${W}INCLUDE_STOPPED`, 'update', 'Also check created and exited containers', {
    short: 'S',
  }),
  b('include-restarting', `${W}INCLUDE_RESTARTING`, 'update', 'Also check restarting containers'),
  b('revive-stopped', `${W}REVIVE_STOPPED`, 'update', 'Start recreated containers that were not running'),
  b('enable-lifecycle-hooks', `${W}LIFECYCLE_HOOKS`, 'update', 'Run the lifecycle hook labels'),
  s('warn-on-head-failure', `${W}WARN_ON_HEAD_FAILURE`, 'update', 'When a failed HEAD request is a warning', {
    values: ['', 'always', 'never', 'auto'],
    arg: 'always|never|auto',
  }),
  // Selection
  b(
    'label-enable',
    `${W}LABEL_ENABLE`,
    'selection',
    'Only containers labelled com.centurylinklabs.watchtower.enable=true',
    {
      short: 'e',
    },
  ),
  {
    name: 'disable-containers',
    short: 'x',
    env: `${W}DISABLE_CONTAINERS`,
    kind: 'list',
    default: [],
    group: 'selection',
    description: 'Container names to exclude (comma or space separated)',
    arg: 'names',
  },
  {
    name: 'monitor-image-names',
    env: `${W}MONITOR_IMAGE_NAMES`,
    kind: 'list',
    default: [],
    group: 'selection',
    description: 'Only containers running one of these images (registry/repository, tag when given)',
    arg: 'images',
    origin: 'NF',
  },
  {
    name: 'skip-image-names',
    env: `${W}SKIP_IMAGE_NAMES`,
    kind: 'list',
    default: [],
    group: 'selection',
    description: 'Never containers running one of these images',
    arg: 'images',
    origin: 'NF',
  },
  s('scope', `${W}SCOPE`, 'selection', 'Only containers whose scope label equals this; "none" = unlabelled', {
    arg: 'scope',
  }),
  b(
    'no-services',
    `${W}NO_SERVICES`,
    'selection',
    'Leave swarm services alone (on a swarm manager they are updated by default, through the cluster)',
    { origin: 'ours' },
  ),
  b(
    'no-containers',
    `${W}NO_CONTAINERS`,
    'selection',
    'Leave plain containers alone (update swarm services only)',
    {
      origin: 'ours',
    },
  ),
  {
    name: 'service-timeout',
    env: `${W}SERVICE_TIMEOUT`,
    kind: 'duration',
    default: 600_000,
    group: 'update',
    description:
      "How long to wait for the cluster's rolling update of a swarm service to settle (completed, rolled back, paused) before reporting it as timed out (Go duration)",
    arg: 'duration',
    origin: 'ours',
  },
  // HTTP API
  b(
    'http-api-update',
    `${W}HTTP_API_UPDATE`,
    'http',
    'Enable POST /v1/update (disables periodic polls unless below)',
  ),
  b(
    'http-api-periodic-polls',
    `${W}HTTP_API_PERIODIC_POLLS`,
    'http',
    'Keep the schedule running with --http-api-update',
  ),
  b('http-api-metrics', `${W}HTTP_API_METRICS`, 'http', 'Enable GET /v1/metrics (Prometheus)'),
  b(
    'http-api-ui',
    `${W}HTTP_API_UI`,
    'http',
    'Serve the status page at / (its data comes from /v1/containers, /v1/sessions, /v1/registries)',
    { origin: 'ours' },
  ),
  s(
    'state-file',
    `${W}STATE_FILE`,
    'http',
    'Keep the status (targets, last 100 passes, registries) in this file across restarts',
    { arg: 'path', origin: 'ours' },
  ),
  s('http-api-token', `${W}HTTP_API_TOKEN`, 'http', 'Bearer token the API requires (or a file holding it)', {
    secretFile: true,
    sensitive: true,
    arg: 'token',
  }),
  s('http-api-host', `${W}HTTP_API_HOST`, 'http', 'Address the API listens on (all when empty)', {
    arg: 'host',
    origin: 'NF',
  }),
  {
    name: 'http-api-port',
    env: `${W}HTTP_API_PORT`,
    kind: 'int',
    default: 8080,
    group: 'http',
    description: 'Port the API listens on',
    arg: 'port',
    origin: 'NF',
  },
  // Registry / TLS
  s(
    'registry-ca',
    `${W}REGISTRY_CA`,
    'registry',
    'PEM bundle of extra CAs for registries (merged with system roots)',
    {
      arg: 'file',
      origin: 'KP',
    },
  ),
  b(
    'registry-ca-validate',
    `${W}REGISTRY_CA_VALIDATE`,
    'registry',
    'Fail at startup unless --registry-ca holds a valid certificate',
    {
      origin: 'KP',
    },
  ),
  b(
    'registry-realm-same-host',
    `${W}REGISTRY_REALM_SAME_HOST`,
    'registry',
    'Refuse Bearer token realms on another host than the registry (credentials then never leave its host)',
    { origin: 'ours' },
  ),
  {
    name: 'insecure-registry',
    env: `${W}INSECURE_REGISTRY`,
    kind: 'list',
    default: [],
    group: 'registry',
    description:
      'Registry HOST[:PORT] reached without TLS verification (http allowed); repeatable, comma list; "true" = all',
    arg: 'host',
    origin: 'KP',
  },
  b(
    'registry-tls-skip',
    `${W}REGISTRY_TLS_SKIP`,
    'registry',
    'Same as --insecure-registry for every registry',
    {
      origin: 'NF',
    },
  ),
  // Logging
  s('log-level', `${W}LOG_LEVEL`, 'logging', 'panic, fatal, error, warn, info, debug or trace', {
    default: 'info',
    values: LEVELS,
    arg: 'level',
  }),
  s('log-format', `${W}LOG_FORMAT`, 'logging', 'auto, logfmt, pretty or json', {
    short: 'l',
    default: 'auto',
    values: ['auto', 'logfmt', 'pretty', 'json'],
    arg: 'format',
  }),
  b('debug', `${W}DEBUG`, 'logging', 'Same as --log-level debug', { short: 'd' }),
  b('trace', `${W}TRACE`, 'logging', 'Same as --log-level trace (secrets are still redacted)'),
  b('no-color', 'NO_COLOR', 'logging', 'Disable ANSI colours'),
  s('porcelain', `${W}PORCELAIN`, 'logging', 'Machine-readable output: v1', { short: 'P', arg: 'version' }),
  // Notifications
  {
    name: 'notification-url',
    env: `${W}NOTIFICATION_URL`,
    kind: 'array',
    default: [],
    group: 'notifications',
    description: 'Notification URL (smtp://, slack://, ntfy:// ...); repeatable; a file holds one per line',
    secretFile: true,
    sensitive: true,
    arg: 'url',
  },
  {
    name: 'notifications',
    short: 'n',
    env: `${W}NOTIFICATIONS`,
    kind: 'list',
    default: [],
    group: 'notifications',
    description: 'Legacy notification types: email, slack, msteams, gotify, shoutrrr',
    arg: 'types',
  },
  s('notifications-level', `${W}NOTIFICATIONS_LEVEL`, 'notifications', 'Most verbose log level sent', {
    default: 'info',
    values: LEVELS,
    arg: 'level',
  }),
  {
    name: 'notifications-delay',
    env: `${W}NOTIFICATIONS_DELAY`,
    kind: 'int',
    default: 0,
    group: 'notifications',
    description: 'Seconds to wait before sending',
    arg: 'seconds',
  },
  s(
    'notifications-hostname',
    `${W}NOTIFICATIONS_HOSTNAME`,
    'notifications',
    'Host name shown in titles (default: OS host name)',
    {
      arg: 'name',
    },
  ),
  s(
    'notification-template',
    `${N}TEMPLATE`,
    'notifications',
    'Go text/template, or default, default-legacy, porcelain.v1.summary-no-log, json.v1',
    {
      arg: 'template',
    },
  ),
  s('notification-template-file', `${N}TEMPLATE_FILE`, 'notifications', 'Read the template from this file', {
    arg: 'file',
    origin: 'NF',
  }),
  b('notification-report', `${N}REPORT`, 'notifications', 'Use the session report as template data'),
  s(
    'notification-title-tag',
    `${N}TITLE_TAG`,
    'notifications',
    'Title prefix: [tag] Watchtower updates on host',
    { arg: 'tag' },
  ),
  b('notification-skip-title', `${N}SKIP_TITLE`, 'notifications', 'Do not send a title'),
  b('notification-log-stdout', `${N}LOG_STDOUT`, 'notifications', 'logger:// writes to stdout'),
  b(
    'notification-split-by-container',
    `${N}SPLIT_BY_CONTAINER`,
    'notifications',
    'One notification per updated, stale or failed container (report mode)',
    {
      origin: 'NF',
    },
  ),
  // Legacy notification flags
  s('notification-email-from', `${N}EMAIL_FROM`, 'legacy', 'Sender address', { arg: 'address' }),
  s('notification-email-to', `${N}EMAIL_TO`, 'legacy', 'Recipient address', { arg: 'address' }),
  s('notification-email-server', `${N}EMAIL_SERVER`, 'legacy', 'SMTP server host', { arg: 'host' }),
  {
    name: 'notification-email-server-port',
    env: `${N}EMAIL_SERVER_PORT`,
    kind: 'int',
    default: 25,
    group: 'legacy',
    description: 'SMTP server port',
    arg: 'port',
  },
  s('notification-email-server-user', `${N}EMAIL_SERVER_USER`, 'legacy', 'SMTP user (auth plain when set)', {
    arg: 'user',
  }),
  s(
    'notification-email-server-password',
    `${N}EMAIL_SERVER_PASSWORD`,
    'legacy',
    'SMTP password (or a file holding it)',
    {
      secretFile: true,
      sensitive: true,
      arg: 'password',
    },
  ),
  b(
    'notification-email-server-tls-skip-verify',
    `${N}EMAIL_SERVER_TLS_SKIP_VERIFY`,
    'legacy',
    'No TLS and no STARTTLS to the SMTP server',
  ),
  {
    name: 'notification-email-delay',
    env: `${N}EMAIL_DELAY`,
    kind: 'int',
    default: 0,
    group: 'legacy',
    description: 'Seconds to wait before sending (overrides --notifications-delay)',
    arg: 'seconds',
  },
  s(
    'notification-email-subjecttag',
    `${N}EMAIL_SUBJECTTAG`,
    'legacy',
    'Subject prefix (fallback for --notification-title-tag)',
    {
      arg: 'tag',
    },
  ),
  s(
    'notification-slack-hook-url',
    `${N}SLACK_HOOK_URL`,
    'legacy',
    'Slack (or Discord) webhook URL (or a file holding it)',
    {
      secretFile: true,
      sensitive: true,
      arg: 'url',
    },
  ),
  s('notification-slack-identifier', `${N}SLACK_IDENTIFIER`, 'legacy', 'Bot name', {
    default: 'watchtower',
    arg: 'name',
  }),
  s('notification-slack-channel', `${N}SLACK_CHANNEL`, 'legacy', 'Channel (sent, unlike upstream)', {
    arg: 'channel',
  }),
  s('notification-slack-icon-emoji', `${N}SLACK_ICON_EMOJI`, 'legacy', 'Bot icon emoji', { arg: 'emoji' }),
  s('notification-slack-icon-url', `${N}SLACK_ICON_URL`, 'legacy', 'Bot icon URL (wins over emoji)', {
    arg: 'url',
  }),
  s(
    'notification-msteams-hook',
    `${N}MSTEAMS_HOOK_URL`,
    'legacy',
    'Microsoft Teams webhook URL (or a file holding it)',
    {
      secretFile: true,
      sensitive: true,
      arg: 'url',
    },
  ),
  b(
    'notification-msteams-data',
    `${N}MSTEAMS_USE_LOG_DATA`,
    'legacy',
    'Accepted for compatibility; unused (as upstream)',
  ),
  s('notification-gotify-url', `${N}GOTIFY_URL`, 'legacy', 'Gotify server URL (http or https)', {
    arg: 'url',
  }),
  s(
    'notification-gotify-token',
    `${N}GOTIFY_TOKEN`,
    'legacy',
    'Gotify application token (or a file holding it)',
    {
      secretFile: true,
      sensitive: true,
      arg: 'token',
    },
  ),
  b(
    'notification-gotify-tls-skip-verify',
    `${N}GOTIFY_TLS_SKIP_VERIFY`,
    'legacy',
    'Do not verify the Gotify certificate (honoured, unlike upstream)',
  ),
] as const satisfies readonly FlagSpec[]

type TableEntry = (typeof TABLE)[number]

/** Every long flag name (`interval`, `stop-timeout`, ...): a misspelt name does not compile. */
export type FlagName = TableEntry['name']

/** One row of the table, its name typed. */
export type Flag = FlagSpec<FlagName>

/** The kind of the flag called `Name`. */
export type KindOf<Name extends FlagName> = Extract<TableEntry, { name: Name }>['kind']

/** The value a flag kind resolves to (durations in ms). */
export type ValueOfKind<Kind extends FlagKind> = Kind extends 'bool'
  ? boolean
  : Kind extends 'int' | 'duration'
    ? number
    : Kind extends 'list' | 'array'
      ? string[]
      : string

/** Every flag's resolved value, typed by its kind: `values.interval` is a number, `values.intervall` does not compile. */
export type FlagValues = { [Name in FlagName]: ValueOfKind<KindOf<Name>> }

/** Where each flag's value came from: `default`, `env NAME`, `flag --name`. */
export type FlagSources = Record<FlagName, string>

export const FLAGS: readonly Flag[] = TABLE

export const FLAG_BY_NAME: ReadonlyMap<string, Flag> = new Map(FLAGS.map((f) => [f.name, f]))
export const FLAG_BY_SHORT: ReadonlyMap<string, Flag> = new Map(
  FLAGS.filter((f) => f.short).map((f) => [f.short!, f]),
)
