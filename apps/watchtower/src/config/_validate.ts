// Layer three of resolveConfig: the checks across flags (schedule or interval,
// timeouts, what the HTTP API needs, notification types, image names), with
// errors naming the flag or env var each value came from, and the settings
// derived from more than one flag (effective schedule, log level, insecure
// registries) with the remarks to log at startup.
import { parseCooldownDelay, parseTagPolicy } from '@watchtower-ts/docker-updater'
import { parseReference } from '@watchtower-ts/image-reference'
import { ConfigError } from '../errors.ts'
import { parseSchedule } from '../schedule/spec.ts'
import type { FlagName, FlagSources, FlagValues } from './_flags.ts'
import { normalizeLevel } from './_values.ts'
import type { LogLevel } from './types.ts'

export interface Checked {
  /** The cron spec, or `@every <interval>s`. */
  schedule: string
  tagPolicy: string
  cooldownDelayMs: number
  logLevel: LogLevel
  /** HOST[:PORT] list, `*` for every registry (may repeat). */
  insecureRegistries: string[]
  /** Non-fatal remarks, in the order they were found. */
  warnings: string[]
}

const LEGACY_TYPES = ['email', 'slack', 'msteams', 'gotify', 'shoutrrr']

/** Checks the layered values; throws ConfigError naming the source of the first bad value. */
export function validate(values: FlagValues, sources: FlagSources, env: NodeJS.ProcessEnv): Checked {
  const warnings: string[] = []
  const schedule = checkSchedule(values, sources, env, warnings)
  checkUpdate(values, sources, warnings)
  checkHttpApi(values, sources)
  checkNotifications(values, sources)

  let logLevel = normalizeLevel(values['log-level'])
  if (values.debug) logLevel = 'debug'
  if (values.trace) {
    logLevel = 'trace'
    warnings.push('trace level enabled: requests are logged in detail (secrets stay redacted)')
  }
  const insecure = [...values['insecure-registry']]
  if (values['registry-tls-skip']) insecure.push('*')
  if (insecure.length > 0) warnings.push(`TLS verification disabled for registries: ${insecure.join(', ')}`)

  const tagPolicy = values['tag-policy'].trim().toLowerCase() || 'digest'
  const checked = <T>(name: FlagName, read: (where: string) => T): T => {
    const where = sources[name] === 'default' ? `--${name}` : sources[name]
    try {
      return read(where)
    } catch (cause) {
      throw new ConfigError((cause as Error).message, { source: where, cause })
    }
  }
  checked('tag-policy', (where) => parseTagPolicy({ policy: tagPolicy }, where))
  const cooldownDelayMs = checked('cooldown-delay', (where) =>
    parseCooldownDelay(values['cooldown-delay'], where),
  )
  if (values['engine-concurrency'] < 1)
    throw new ConfigError(`invalid value for ${sources['engine-concurrency']}: expected an integer >= 1`, {
      source: sources['engine-concurrency'],
    })
  checkImages(values, sources, 'monitor-image-names')
  checkImages(values, sources, 'skip-image-names')
  return { schedule, tagPolicy, cooldownDelayMs, logLevel, insecureRegistries: insecure, warnings }
}

function checkSchedule(
  values: FlagValues,
  sources: FlagSources,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): string {
  let schedule = values.schedule.trim()
  // As upstream: only an --interval flag conflicts; an env interval beside a schedule is ignored,
  // so env files that set both keep working.
  if (schedule !== '' && sources.interval.startsWith('flag')) {
    throw new ConfigError(
      `only schedule or interval can be defined, not both (${sources.schedule} and ${sources.interval})`,
      { source: sources.schedule },
    )
  }
  if (values.interval <= 0) {
    throw new ConfigError(
      `invalid value "${values.interval}" for ${sources.interval}: the interval must be positive`,
      {
        source: sources.interval,
      },
    )
  }
  if (schedule !== '' && sources.interval !== 'default') {
    warnings.push(`${sources.interval} is ignored because a schedule is set (${sources.schedule})`)
  }
  let scheduleSource = sources.schedule
  if (schedule === '') {
    schedule = `@every ${values.interval}s`
    scheduleSource = sources.interval
  }
  parseSchedule(schedule, env.TZ, { source: scheduleSource, timezoneSource: 'env TZ' })
  return schedule
}

function checkUpdate(values: FlagValues, sources: FlagSources, warnings: string[]): void {
  if (values['stop-timeout'] < 0) {
    throw new ConfigError(
      `invalid value for ${sources['stop-timeout']}: the stop timeout must not be negative`,
      {
        source: sources['stop-timeout'],
      },
    )
  }
  if (values['no-services'] && values['no-containers']) {
    throw new ConfigError(
      `${sources['no-services']} and ${sources['no-containers']} together leave nothing to update`,
      { source: sources['no-containers'] },
    )
  }
  if (values['service-timeout'] <= 0) {
    throw new ConfigError(
      `invalid value for ${sources['service-timeout']}: the service timeout must be positive`,
      {
        source: sources['service-timeout'],
      },
    )
  }
  if (values['rolling-restart'] && values['monitor-only']) {
    throw new ConfigError('--rolling-restart cannot be combined with the global --monitor-only', {
      source: sources['rolling-restart'],
    })
  }
  if (values['monitor-only'] && values['no-pull']) {
    warnings.push(
      'using --no-pull together with --monitor-only: nothing will be pulled and no container updated',
    )
  }
  if (values['registry-ca-validate'] && values['registry-ca'] === '') {
    throw new ConfigError('--registry-ca-validate needs --registry-ca (WATCHTOWER_REGISTRY_CA)', {
      source: sources['registry-ca-validate'],
    })
  }
}

function checkHttpApi(values: FlagValues, sources: FlagSources): void {
  const apiEnabled = values['http-api-update'] || values['http-api-metrics'] || values['http-api-ui']
  if (apiEnabled && values['http-api-token'] === '') {
    throw new ConfigError(
      '--http-api-token (WATCHTOWER_HTTP_API_TOKEN) is required when the HTTP API is enabled',
      {
        source: '--http-api-token',
      },
    )
  }
  const port = values['http-api-port']
  if (port < 0 || port > 65535) {
    throw new ConfigError(`invalid value "${port}" for ${sources['http-api-port']}: not a TCP port`, {
      source: sources['http-api-port'],
    })
  }
}

function checkNotifications(values: FlagValues, sources: FlagSources): void {
  for (const n of ['notifications-delay', 'notification-email-delay'] as const) {
    if (values[n] < 0)
      throw new ConfigError(`invalid value for ${sources[n]}: must not be negative`, { source: sources[n] })
  }
  for (const t of values.notifications) {
    if (!LEGACY_TYPES.includes(t)) {
      throw new ConfigError(
        `unknown notification type "${t}" in ${sources.notifications}: use email, slack, msteams, gotify or shoutrrr`,
        { source: sources.notifications },
      )
    }
  }
}

function checkImages(
  values: FlagValues,
  sources: FlagSources,
  name: 'monitor-image-names' | 'skip-image-names',
): void {
  for (const item of values[name]) {
    try {
      parseReference(item)
    } catch (cause) {
      throw new ConfigError(`invalid image "${item}" in ${sources[name]}: ${(cause as Error).message}`, {
        source: sources[name],
        cause,
      })
    }
  }
}
