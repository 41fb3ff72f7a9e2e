/**
 * Just enough of Go's `time` package for robfig/cron's next-time walk: a
 * zone that tells its UTC offset at an instant, wall-clock fields of an
 * instant, and `time.Date` (which normalises overflowing fields and picks an
 * offset for wall times in a daylight-saving gap or repeat exactly as Go does).
 * Offsets come from the IANA zone data built into Node (Intl.DateTimeFormat).
 * Instants are whole Unix seconds.
 */

/** A time zone: the offset east of UTC, in seconds, in force at an instant. */
export interface Zone {
  readonly name: string
  offset(unixSec: number): number
}

/** Wall-clock fields of an instant in a zone (month 1-12, weekday 0 = Sunday). */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  weekday: number
}

export const UTC: Zone = { name: 'UTC', offset: () => 0 }

/** A zone with one offset forever (Go's time.FixedZone). */
export function fixedZone(name: string, offsetSec: number): Zone {
  return { name, offset: () => offsetSec }
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/UCT', 'UCT', 'Etc/Zulu', 'Zulu'])

/**
 * The IANA zone `name` (e.g. `Europe/Berlin`), or undefined when Node's zone
 * data does not know it. Go's rules for the name: a leading `:` is dropped,
 * an empty name is UTC.
 */
export function loadZone(name: string): Zone | undefined {
  const id = name.startsWith(':') ? name.slice(1) : name
  if (id === '' || UTC_NAMES.has(id)) return id === '' ? UTC : { name: id, offset: () => 0 }
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  } catch {
    return undefined
  }
  const cache = new Map<number, number>()
  return {
    name: id,
    offset(unixSec) {
      let off = cache.get(unixSec)
      if (off === undefined) {
        off = _wallSeconds(format, unixSec) - unixSec
        if (cache.size >= 4096) cache.clear()
        cache.set(unixSec, off)
      }
      return off
    },
  }
}

/** The zone of this process (what Go's time.Local is when TZ is unset). */
export function localZone(): Zone {
  return loadZone(new Intl.DateTimeFormat().resolvedOptions().timeZone) ?? UTC
}

/** Wall-clock fields of `unixSec` in `zone`. */
export function wallClock(unixSec: number, zone: Zone): WallClock {
  const d = new Date((unixSec + zone.offset(unixSec)) * 1000)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  }
}

/**
 * Go's `time.Date(year, month, day, hour, min, sec, 0, zone)` as Unix seconds.
 * Out-of-range fields carry over (month 13 is January of the next year). A wall
 * time that falls in a gap or a repeat gets Go's offset: first the offset in
 * force at the wall time read as UTC, then, if that lands in another zone
 * period, the offset in force there.
 */
export function goDate(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  zone: Zone,
): number {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, 0)
  const wall = d.getTime() / 1000
  return wall - zone.offset(wall - zone.offset(wall))
}

// --- internal ---

function _wallSeconds(format: Intl.DateTimeFormat, unixSec: number): number {
  const p: Record<string, string> = {}
  for (const part of format.formatToParts(unixSec * 1000)) p[part.type] = part.value
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year)
  const d = new Date(0)
  d.setUTCFullYear(year, Number(p.month) - 1, Number(p.day))
  d.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), 0)
  return d.getTime() / 1000
}
