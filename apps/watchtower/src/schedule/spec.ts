import { Cron } from 'croner'
import { parseGoDuration } from '../config/_values.ts'
import { ConfigError } from '../errors.ts'

/** A parsed schedule that tells the next run time after a given instant. */
export interface ScheduleSpec {
  readonly spec: string
  /** Next run strictly after `from` (ms since epoch). */
  next(from: number): number
}

/**
 * Parses a robfig/cron v1 spec as upstream watchtower accepts it: 6 fields
 * with seconds first (`sec min hour dom month dow`), 5 fields meaning the
 * day-of-week is optional, descriptors (`@daily`, `@hourly`, ...) and
 * `@every <Go duration>`. `timezone` is an IANA name (the `TZ` env var).
 */
export function parseSchedule(spec: string, timezone?: string): ScheduleSpec {
  const text = spec.trim()
  if (text.startsWith('@every')) {
    const ms = parseGoDuration(text.slice('@every'.length).trim())
    if (ms === undefined || ms <= 0) {
      throw new ConfigError(
        `invalid schedule "${spec}": @every needs a positive Go duration (e.g. @every 1h30m)`,
        {
          source: '--schedule',
        },
      )
    }
    // robfig rounds @every to whole seconds (minimum 1s)
    const step = Math.max(1000, Math.floor(ms / 1000) * 1000)
    return { spec: text, next: (from) => from + step }
  }
  let pattern = text
  if (!text.startsWith('@')) {
    const fields = text.split(/\s+/)
    if (fields.length === 5) pattern = `${text} *`
    else if (fields.length !== 6) {
      throw new ConfigError(
        `invalid schedule "${spec}": expected 6 fields (seconds minutes hours day-of-month month day-of-week), got ${fields.length}`,
        { source: '--schedule' },
      )
    }
  }
  let cron: Cron
  try {
    cron = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) })
    cron.nextRun(new Date(0))
  } catch (cause) {
    throw new ConfigError(`invalid schedule "${spec}": ${(cause as Error).message}`, {
      source: '--schedule',
      cause,
    })
  }
  return {
    spec: text,
    next(from) {
      const d = cron.nextRun(new Date(from))
      if (!d) throw new ConfigError(`schedule "${spec}" has no future run`, { source: '--schedule' })
      return d.getTime()
    },
  }
}
