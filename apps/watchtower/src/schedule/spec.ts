import { parseGoDuration } from '../config/_values.ts'
import { ConfigError } from '../errors.ts'
import { nextRobfig, parseRobfig, type RobfigSchedule, RobfigSyntaxError } from './_robfig.ts'
import { loadZone, localZone, type Zone } from './_zone.ts'

/** A parsed schedule that tells the next run time after a given instant. */
export interface ScheduleSpec {
  readonly spec: string
  /** IANA name of the zone the spec is read in. */
  readonly timezone: string
  /** Next run strictly after `from` (ms since epoch, fires on whole seconds). */
  next(from: number): number
}

export interface ParseScheduleOptions {
  /** Where the spec came from, named in errors (default `--schedule`). */
  source?: string
  /** Where the time zone came from, named in errors (default `TZ`). */
  timezoneSource?: string
}

/**
 * Parses a schedule exactly as watchtower does: robfig/cron v1.2.0's
 * `cron.Parse` (6 fields with seconds first: `sec min hour dom month dow`,
 * day-of-week optional, `N/step` meaning `N-max/step`, `@hourly` ... and
 * `@every <Go duration>`), run times computed by robfig's own walk in the
 * zone `timezone` (the `TZ` env var; unset = this machine's zone, empty = UTC).
 *
 * Deliberate differences (each refuses what watchtower would accept and then
 * misbehave on): surrounding white space is ignored; an unknown `TZ` is an
 * error (Go silently uses UTC); a zero or negative `@every` is an error
 * (robfig runs every second); a spec that never fires is an error when asked
 * for its next run (robfig never runs it).
 */
export function parseSchedule(
  spec: string,
  timezone?: string,
  options: ParseScheduleOptions = {},
): ScheduleSpec {
  const source = options.source ?? '--schedule'
  const text = spec.trim()
  const fail = (detail: string, cause?: unknown): never => {
    throw new ConfigError(`invalid schedule "${spec}": ${detail} (from ${source})`, { source, cause })
  }
  // The process's own zone (TZ unset) is read on first use: a --run-once never needs it, and
  // reading it loads the ICU time zone data. A TZ that is set is checked at once.
  let zone =
    timezone === undefined ? undefined : resolveZone(timezone, options.timezoneSource ?? 'TZ', source)
  const zoneOf = (): Zone => (zone ??= localZone())
  let schedule: RobfigSchedule
  try {
    schedule = parseRobfig(text, parseGoDuration)
  } catch (e) {
    if (e instanceof RobfigSyntaxError) fail(explain(text, e), e)
    throw e
  }
  if (schedule.kind === 'every') {
    const ms = parseGoDuration(text.slice('@every '.length)) ?? 0
    if (ms <= 0)
      fail('@every needs a positive Go duration (e.g. @every 1h30m); robfig/cron would run every second')
  }
  return {
    spec: text,
    get timezone() {
      return zoneOf().name
    },
    next(from) {
      const at = nextRobfig(schedule, from, zoneOf())
      if (at === undefined) {
        throw new ConfigError(
          `schedule "${spec}" never fires: no time in the next 5 years matches it in ${zoneOf().name} (from ${source})`,
          { source },
        )
      }
      return at
    },
  }
}

// --- internal ---

function resolveZone(timezone: string | undefined, tzSource: string, source: string): Zone {
  if (timezone === undefined) return localZone()
  const zone = loadZone(timezone)
  if (!zone) {
    throw new ConfigError(
      `invalid time zone "${timezone}" in ${tzSource} (the time zone of ${source}): not an IANA zone name such as Europe/Berlin or UTC`,
      { source: tzSource },
    )
  }
  return zone
}

function explain(text: string, e: RobfigSyntaxError): string {
  const m = /^Expected 5 to 6 fields, found (\d+)/.exec(e.message)
  if (m) {
    const hint = /^(CRON_)?TZ=/.test(text)
      ? '; a TZ= or CRON_TZ= prefix is not part of robfig/cron v1.2.0 (watchtower): set the TZ environment variable instead'
      : ''
    return `expected 6 fields "seconds minutes hours day-of-month month day-of-week" (day-of-week may be left out: expected 5 to 6 fields), found ${m[1]}${hint}`
  }
  if (e.message.startsWith('Unrecognized descriptor')) {
    return `${e.message}; known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <Go duration>`
  }
  if (e.message.startsWith('Failed to parse duration')) {
    return `${e.message}; @every needs a positive Go duration (e.g. @every 1h30m)`
  }
  if (e.field) {
    const hint =
      e.field === 'seconds' && /^(CRON_)?TZ=/.test(text)
        ? '; a TZ= or CRON_TZ= prefix is not part of robfig/cron v1.2.0 (watchtower): set the TZ environment variable instead'
        : ''
    return `${e.field} field: ${e.message}${hint}`
  }
  return e.message
}
