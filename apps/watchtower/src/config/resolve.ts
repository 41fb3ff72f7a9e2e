import { readFileSync, statSync } from 'node:fs'
import { hostname as osHostname } from 'node:os'
import { parseCooldownDelay, parseTagPolicy } from '@watchtower-ts/docker-updater'
import { parseReference } from '@watchtower-ts/registry-client'
import { ConfigError } from '../errors.ts'
import { parseSchedule } from '../schedule/spec.ts'
import { parseArgv } from './_argv.ts'
import { FLAGS, type FlagSpec } from './_flags.ts'
import { parseGoBool, parseGoDuration, parseInteger, splitFields, splitList } from './_values.ts'
import type { LogFormat, LogLevel, WatchtowerConfig } from './types.ts'

type Value = string | number | boolean | string[]

export interface ResolveConfigOptions {
  /** Arguments after the program name. */
  argv: readonly string[]
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** Contents of `path` when it names an existing regular file, else undefined. @default node:fs */
  readSecretFile?: (path: string) => string | undefined
  /** @default os.hostname() */
  hostname?: string
}

export interface ResolvedCli {
  config: WatchtowerConfig
  help: boolean
  version: boolean
}

function defaultReadSecretFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Upstream's rule: a value with a `:` anywhere but index 1 is never a path. */
export function mayBeSecretPath(value: string): boolean {
  const colon = value.indexOf(':')
  return value !== '' && (colon === -1 || colon === 1)
}

function fromText(flag: FlagSpec, text: string, where: string, fromEnv: boolean): Value {
  const bad = (what: string) =>
    new ConfigError(`invalid value "${text}" for ${where}: ${what}`, { source: where })
  switch (flag.kind) {
    case 'bool': {
      if (flag.env === 'NO_COLOR' && fromEnv) return parseGoBool(text) ?? true
      const v = parseGoBool(text)
      if (v === undefined) throw bad('expected a boolean (true, false, 1, 0, t, f)')
      return v
    }
    case 'int': {
      const v = parseInteger(text)
      if (v === undefined) throw bad('expected an integer')
      return v
    }
    case 'duration': {
      const v = parseGoDuration(text.trim())
      if (v === undefined) throw bad('expected a Go duration such as 30s, 1m30s or 2h')
      return v
    }
    case 'list':
      if (flag.name === 'insecure-registry' && parseGoBool(text) !== undefined)
        return parseGoBool(text) ? ['*'] : []
      return splitList(text)
    case 'array':
      return fromEnv ? splitFields(text) : [text]
    case 'string':
      if (flag.values) {
        // levels and formats are case-insensitive upstream (logrus.ParseLevel lowercases)
        const lower = text.toLowerCase()
        if (!flag.values.some((v) => v.toLowerCase() === lower)) {
          throw bad(
            `expected one of ${[...new Set(flag.values.filter((v) => v !== '').map((v) => v.toLowerCase()))].join(', ')}`,
          )
        }
        return lower
      }
      return text
  }
}

/** Parses argv + env into the watchtower configuration, with upstream's rules. */
export function resolveConfig(options: ResolveConfigOptions): ResolvedCli {
  const env = options.env ?? process.env
  const readSecret = options.readSecretFile ?? defaultReadSecretFile
  const parsed = parseArgv(options.argv)
  const values = new Map<string, Value>()
  const envWarnings: string[] = []
  const sources: Record<string, string> = {}
  for (const flag of FLAGS) {
    values.set(flag.name, flag.default)
    sources[flag.name] = 'default'
    const envText = flag.env ? env[flag.env] : undefined
    if (flag.env && envText !== undefined && envText !== '') {
      if (flag.kind === 'duration' && /^\d+$/.test(envText.trim())) {
        // upstream (viper) read a bare number as nanoseconds; it was meant as seconds
        values.set(flag.name, Number(envText.trim()) * 1000)
        envWarnings.push(`${flag.env}=${envText.trim()} has no unit: read as ${envText.trim()}s`)
      } else values.set(flag.name, fromText(flag, envText, flag.env, true))
      sources[flag.name] = `env ${flag.env}`
    }
  }
  const seen = new Set<string>()
  for (const occ of parsed.occurrences) {
    const { flag } = occ
    const v = typeof occ.value === 'boolean' ? occ.value : fromText(flag, occ.value, occ.spelling, false)
    if ((flag.kind === 'list' || flag.kind === 'array') && seen.has(flag.name)) {
      values.set(flag.name, [...(values.get(flag.name) as string[]), ...(v as string[])])
    } else values.set(flag.name, v)
    seen.add(flag.name)
    sources[flag.name] = `flag ${occ.spelling}`
  }
  const given = (name: string) => sources[name] !== 'default'

  // secrets from files (upstream GetSecretsFromFiles)
  for (const flag of FLAGS) {
    if (!flag.secretFile) continue
    const v = values.get(flag.name)!
    if (typeof v === 'string') {
      if (!mayBeSecretPath(v)) continue
      const content = readSecret(v)
      if (content !== undefined) values.set(flag.name, content.trim())
    } else if (Array.isArray(v)) {
      const out: string[] = []
      for (const item of v) {
        const content = mayBeSecretPath(item) ? readSecret(item) : undefined
        if (content === undefined) out.push(item)
        else
          out.push(
            ...content
              .split(/\r?\n/)
              .map((l) => l.trim())
              .filter((l) => l !== ''),
          )
      }
      values.set(flag.name, out)
    }
  }

  const str = (n: string) => values.get(n) as string
  const bool = (n: string) => values.get(n) as boolean
  const num = (n: string) => values.get(n) as number
  const list = (n: string) => values.get(n) as string[]
  const warnings: string[] = [...envWarnings]
  const imageList = (n: string) => {
    const items = list(n)
    for (const item of items) {
      try {
        parseReference(item)
      } catch (cause) {
        throw new ConfigError(`invalid image "${item}" in ${sources[n]}: ${(cause as Error).message}`, {
          source: sources[n],
          cause,
        })
      }
    }
    return items
  }

  // --porcelain v1 (only fills what the user did not give)
  const porcelain = str('porcelain')
  if (porcelain !== '') {
    if (porcelain !== 'v1') {
      throw new ConfigError(
        `unknown porcelain version "${porcelain}" for ${sources.porcelain}: supported values: v1`,
        {
          source: sources.porcelain,
        },
      )
    }
    if (!given('notification-url')) values.set('notification-url', ['logger://'])
    if (!given('notification-log-stdout')) values.set('notification-log-stdout', true)
    if (!given('notification-report')) values.set('notification-report', true)
    if (!given('notification-template')) values.set('notification-template', 'porcelain.v1.summary-no-log')
  }

  // schedule vs interval
  let schedule = str('schedule').trim()
  // As upstream: only an --interval flag conflicts; an env interval beside a schedule is ignored,
  // so env files that set both keep working.
  if (schedule !== '' && sources.interval?.startsWith('flag')) {
    throw new ConfigError(
      `only schedule or interval can be defined, not both (${sources.schedule} and ${sources.interval})`,
      { source: sources.schedule },
    )
  }
  if (num('interval') <= 0) {
    throw new ConfigError(
      `invalid value "${num('interval')}" for ${sources.interval}: the interval must be positive`,
      {
        source: sources.interval,
      },
    )
  }
  if (schedule !== '' && given('interval')) {
    warnings.push(`${sources.interval} is ignored because a schedule is set (${sources.schedule})`)
  }
  let scheduleSource = sources.schedule ?? '--schedule'
  if (schedule === '') {
    schedule = `@every ${num('interval')}s`
    scheduleSource = sources.interval ?? '--interval'
  }
  parseSchedule(schedule, env.TZ, { source: scheduleSource, timezoneSource: 'env TZ' })

  if (num('stop-timeout') < 0) {
    throw new ConfigError(
      `invalid value for ${sources['stop-timeout']}: the stop timeout must not be negative`,
      {
        source: sources['stop-timeout'],
      },
    )
  }
  if (bool('no-services') && bool('no-containers')) {
    throw new ConfigError(
      `${sources['no-services']} and ${sources['no-containers']} together leave nothing to update`,
      { source: sources['no-containers'] },
    )
  }
  if (num('service-timeout') <= 0) {
    throw new ConfigError(
      `invalid value for ${sources['service-timeout']}: the service timeout must be positive`,
      {
        source: sources['service-timeout'],
      },
    )
  }
  if (bool('rolling-restart') && bool('monitor-only')) {
    throw new ConfigError('--rolling-restart cannot be combined with the global --monitor-only', {
      source: sources['rolling-restart'],
    })
  }
  if (bool('monitor-only') && bool('no-pull')) {
    warnings.push(
      'using --no-pull together with --monitor-only: nothing will be pulled and no container updated',
    )
  }
  if (bool('registry-ca-validate') && str('registry-ca') === '') {
    throw new ConfigError('--registry-ca-validate needs --registry-ca (WATCHTOWER_REGISTRY_CA)', {
      source: sources['registry-ca-validate'],
    })
  }
  const apiEnabled = bool('http-api-update') || bool('http-api-metrics') || bool('http-api-ui')
  if (apiEnabled && str('http-api-token') === '') {
    throw new ConfigError(
      '--http-api-token (WATCHTOWER_HTTP_API_TOKEN) is required when the HTTP API is enabled',
      {
        source: '--http-api-token',
      },
    )
  }
  const port = num('http-api-port')
  if (port < 0 || port > 65535) {
    throw new ConfigError(`invalid value "${port}" for ${sources['http-api-port']}: not a TCP port`, {
      source: sources['http-api-port'],
    })
  }
  for (const n of ['notifications-delay', 'notification-email-delay']) {
    if (num(n) < 0)
      throw new ConfigError(`invalid value for ${sources[n]}: must not be negative`, { source: sources[n] })
  }
  const types = list('notifications')
  for (const t of types) {
    if (!['email', 'slack', 'msteams', 'gotify', 'shoutrrr'].includes(t)) {
      throw new ConfigError(
        `unknown notification type "${t}" in ${sources.notifications}: use email, slack, msteams, gotify or shoutrrr`,
        { source: sources.notifications },
      )
    }
  }

  let logLevel = normalizeLevel(str('log-level'))
  if (bool('debug')) logLevel = 'debug'
  if (bool('trace')) {
    logLevel = 'trace'
    warnings.push('trace level enabled: requests are logged in detail (secrets stay redacted)')
  }
  const insecure = [...list('insecure-registry')]
  if (bool('registry-tls-skip')) insecure.push('*')
  if (insecure.length > 0) warnings.push(`TLS verification disabled for registries: ${insecure.join(', ')}`)

  const tagPolicy = str('tag-policy').trim().toLowerCase() || 'digest'
  const checked = <T>(name: string, read: (where: string) => T): T => {
    const where = sources[name] === 'default' ? `--${name}` : (sources[name] ?? `--${name}`)
    try {
      return read(where)
    } catch (cause) {
      throw new ConfigError((cause as Error).message, { source: where, cause })
    }
  }
  checked('tag-policy', (where) => parseTagPolicy({ policy: tagPolicy }, where))
  const cooldownDelayMs = checked('cooldown-delay', (where) =>
    parseCooldownDelay(str('cooldown-delay'), where),
  )

  // Several engines: repeated --host wins, then --hosts / WATCHTOWER_HOSTS, then DOCKER_HOST.
  const hostFlags = parsed.occurrences.filter((o) => o.flag.name === 'host').map((o) => String(o.value))
  const dockerHosts = [
    ...new Set(
      hostFlags.length > 1
        ? hostFlags
        : hostFlags.length === 0 && list('hosts').length > 0
          ? list('hosts')
          : [str('host')],
    ),
  ]
  if (num('engine-concurrency') < 1)
    throw new ConfigError(`invalid value for ${sources['engine-concurrency']}: expected an integer >= 1`, {
      source: sources['engine-concurrency'] ?? '--engine-concurrency',
    })

  const config: WatchtowerConfig = {
    dockerHost: dockerHosts[0]!,
    dockerHosts,
    engineConcurrency: num('engine-concurrency'),
    tlsVerify: bool('tlsverify'),
    apiVersion: str('api-version'),
    certPath: str('cert-path'),
    containerNames: parsed.positionals,
    intervalSeconds: num('interval'),
    schedule,
    runOnce: bool('run-once'),
    updateOnStart: bool('update-on-start'),
    healthCheck: bool('health-check'),
    noStartupMessage: bool('no-startup-message'),
    selfUpdateHelper: bool('self-update-helper'),
    heartbeatFile: str('heartbeat-file'),
    heartbeatIntervalMs: num('heartbeat-interval'),
    cleanup: bool('cleanup'),
    removeVolumes: bool('remove-volumes'),
    noPull: bool('no-pull'),
    noRestart: bool('no-restart'),
    monitorOnly: bool('monitor-only'),
    labelTakePrecedence: bool('label-take-precedence'),
    rollingRestart: bool('rolling-restart'),
    stopTimeoutMs: num('stop-timeout'),
    healthTimeoutMs: num('health-timeout'),
    tagPolicy,
    cooldownDelayMs,
    includeStopped: bool('include-stopped'),
    includeRestarting: bool('include-restarting'),
    reviveStopped: bool('revive-stopped'),
    lifecycleHooks: bool('enable-lifecycle-hooks'),
    warnOnHeadFailure: (str('warn-on-head-failure') || 'auto') as WatchtowerConfig['warnOnHeadFailure'],
    labelEnable: bool('label-enable'),
    disableContainers: list('disable-containers'),
    monitorImageNames: imageList('monitor-image-names'),
    skipImageNames: imageList('skip-image-names'),
    scope: str('scope'),
    noServices: bool('no-services'),
    noContainers: bool('no-containers'),
    serviceTimeoutMs: num('service-timeout'),
    httpApiUpdate: bool('http-api-update'),
    httpApiPeriodicPolls: bool('http-api-periodic-polls'),
    httpApiMetrics: bool('http-api-metrics'),
    httpApiUi: bool('http-api-ui'),
    stateFile: str('state-file'),
    httpApiToken: str('http-api-token'),
    httpApiHost: str('http-api-host'),
    httpApiPort: port,
    registryCa: str('registry-ca'),
    registryCaValidate: bool('registry-ca-validate'),
    registryRealmSameHost: bool('registry-realm-same-host'),
    insecureRegistries: [...new Set(insecure)],
    logLevel,
    logFormat: str('log-format').toLowerCase() as LogFormat,
    noColor: bool('no-color'),
    porcelain,
    notificationUrls: list('notification-url'),
    notificationsLevel: normalizeLevel(str('notifications-level')),
    notificationsDelaySeconds: num('notifications-delay'),
    hostname: str('notifications-hostname') || options.hostname || osHostname(),
    notificationTemplate: str('notification-template'),
    notificationReport: bool('notification-report'),
    notificationTitleTag: str('notification-title-tag'),
    notificationSkipTitle: bool('notification-skip-title'),
    notificationLogStdout: bool('notification-log-stdout'),
    notificationSplitByContainer: bool('notification-split-by-container'),
    legacy: {
      types,
      emailFrom: str('notification-email-from'),
      emailTo: str('notification-email-to'),
      emailServer: str('notification-email-server'),
      emailServerPort: num('notification-email-server-port'),
      emailServerUser: str('notification-email-server-user'),
      emailServerPassword: str('notification-email-server-password'),
      emailServerTlsSkipVerify: bool('notification-email-server-tls-skip-verify'),
      emailDelaySeconds: num('notification-email-delay'),
      emailSubjectTag: str('notification-email-subjecttag'),
      slackHookUrl: str('notification-slack-hook-url'),
      slackIdentifier: str('notification-slack-identifier'),
      slackChannel: str('notification-slack-channel'),
      slackIconEmoji: str('notification-slack-icon-emoji'),
      slackIconUrl: str('notification-slack-icon-url'),
      msteamsHook: str('notification-msteams-hook'),
      msteamsData: bool('notification-msteams-data'),
      gotifyUrl: str('notification-gotify-url'),
      gotifyToken: str('notification-gotify-token'),
      gotifyTlsSkipVerify: bool('notification-gotify-tls-skip-verify'),
    },
    repoUser: env.REPO_USER ?? '',
    repoPass: env.REPO_PASS ?? '',
    warnings,
    sources,
  }
  // template from file (NF)
  const templateFile = str('notification-template-file')
  if (templateFile !== '') {
    const content = readSecret(templateFile)
    if (content === undefined) {
      throw new ConfigError(
        `cannot read the template file "${templateFile}" (${sources['notification-template-file']})`,
        {
          source: sources['notification-template-file'],
        },
      )
    }
    config.notificationTemplate = content
  }
  return { config, help: parsed.help, version: parsed.version }
}

function normalizeLevel(level: string): LogLevel {
  if (level === 'panic') return 'fatal'
  if (level === 'warning') return 'warn'
  return level as LogLevel
}
