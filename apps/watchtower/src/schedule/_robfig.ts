/**
 * A port of robfig/cron v1.2.0 (github.com/robfig/cron, commit
 * b41be1df696709bb6395fe435af20370037c0b4c), the version watchtower pins:
 * `parser.go` (the default `cron.Parse`: seconds first, day-of-week optional,
 * descriptors), `spec.go` (`SpecSchedule.Next`) and `constantdelay.go`
 * (`@every`). Names and steps follow the Go code so the two can be read side
 * by side; the conformance table in `__fixtures__/robfig-cron-v1.2.0.json`
 * holds robfig's own test cases. Errors carry robfig's wording.
 *
 * robfig/cron is MIT licensed, Copyright (C) 2012 Rob Figueiredo; its licence is kept in
 * apps/watchtower/THIRD-PARTY-NOTICES.md for this port.
 */
import { goDate, type WallClock, wallClock, type Zone } from './_zone.ts'

/** The six fields, in the order they are written. */
export const FIELD_NAMES = ['seconds', 'minutes', 'hours', 'day-of-month', 'month', 'day-of-week'] as const
export type FieldName = (typeof FIELD_NAMES)[number]

/** A field's allowed values (and names, for month and day-of-week). */
export interface Bounds {
  min: number
  max: number
  names?: Readonly<Record<string, number>>
}

export const BOUNDS: Readonly<Record<FieldName, Bounds>> = {
  seconds: { min: 0, max: 59 },
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  'day-of-month': { min: 1, max: 31 },
  month: {
    min: 1,
    max: 12,
    names: {
      jan: 1,
      feb: 2,
      mar: 3,
      apr: 4,
      may: 5,
      jun: 6,
      jul: 7,
      aug: 8,
      sep: 9,
      oct: 10,
      nov: 11,
      dec: 12,
    },
  },
  'day-of-week': { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
}

/** Set when a field was written with `*` or `?` (robfig's starBit, 1 << 63). */
export const STAR_BIT = 1n << 63n
const U64 = (1n << 64n) - 1n

/** A parsed cron spec: one 64-bit set per field, as robfig's SpecSchedule. */
export interface SpecSchedule {
  kind: 'spec'
  bits: Record<FieldName, bigint>
}
/** `@every <duration>`: robfig's ConstantDelaySchedule (whole seconds, at least 1 s). */
export interface DelaySchedule {
  kind: 'every'
  delayMs: number
}
export type RobfigSchedule = SpecSchedule | DelaySchedule

/** A spec robfig refuses; `field` names the field when one is at fault. */
export class RobfigSyntaxError extends Error {
  override name = 'RobfigSyntaxError'
  readonly field: FieldName | undefined
  constructor(message: string, field?: FieldName) {
    super(message)
    this.field = field
  }
}

/** Parses a Go duration; milliseconds (fractional) or undefined when invalid. */
export type DurationParser = (text: string) => number | undefined

/** `cron.Parse(spec)` of robfig/cron v1.2.0. */
export function parseRobfig(spec: string, parseDuration: DurationParser): RobfigSchedule {
  if (spec.length === 0) throw new RobfigSyntaxError('Empty spec string')
  if (spec[0] === '@') return parseDescriptor(spec, parseDuration)
  const fields = spec.split(GO_SPACE).filter((f) => f !== '')
  if (fields.length < 5 || fields.length > 6) {
    throw new RobfigSyntaxError(`Expected 5 to 6 fields, found ${fields.length}: ${spec}`)
  }
  if (fields.length === 5) fields.push('*')
  const bits = {} as Record<FieldName, bigint>
  FIELD_NAMES.forEach((name, i) => {
    try {
      bits[name] = getField(fields[i]!, BOUNDS[name])
    } catch (e) {
      throw new RobfigSyntaxError((e as Error).message, name)
    }
  })
  return { kind: 'spec', bits }
}

/**
 * `getField`: the bits of a comma-separated list of ranges. Empty items are
 * dropped (Go's strings.FieldsFunc), so `,` alone is a field nothing matches.
 */
export function getField(field: string, r: Bounds): bigint {
  let bits = 0n
  for (const expr of field.split(',')) if (expr !== '') bits |= getRange(expr, r)
  return bits
}

/** `getRange`: `*`, `?`, `N`, `N-M`, each with an optional `/step`; `N/step` means `N-max/step`. */
export function getRange(expr: string, r: Bounds): bigint {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = rangeAndStep[0]!.split('-')
  const singleDigit = lowAndHigh.length === 1
  let start: bigint
  let end: bigint
  let step: bigint
  let extra = 0n
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    // robfig ignores anything after "*-"
    start = BigInt(r.min)
    end = BigInt(r.max)
    extra = STAR_BIT
  } else {
    start = parseIntOrName(lowAndHigh[0]!, r.names)
    if (lowAndHigh.length === 1) end = start
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, r.names)
    else throw new Error(`Too many hyphens: ${expr}`)
  }
  if (rangeAndStep.length === 1) step = 1n
  else if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!)
    if (singleDigit) end = BigInt(r.max)
  } else throw new Error(`Too many slashes: ${expr}`)

  if (start < r.min) throw new Error(`Beginning of range (${start}) below minimum (${r.min}): ${expr}`)
  if (end > r.max) throw new Error(`End of range (${end}) above maximum (${r.max}): ${expr}`)
  if (start > end) throw new Error(`Beginning of range (${start}) beyond end of range (${end}): ${expr}`)
  if (step === 0n) throw new Error(`Step of range should be a positive number: ${expr}`)
  return getBits(Number(start), Number(end), step) | extra
}

/** `getBits`: bits min..max (inclusive) every `step`. */
export function getBits(min: number, max: number, step: bigint): bigint {
  let bits = 0n
  for (let i = BigInt(min); i <= BigInt(max); i += step) bits |= 1n << i
  return bits & U64
}

/** `all`: every value of the bounds plus the star bit. */
export function all(r: Bounds): bigint {
  return getBits(r.min, r.max, 1n) | STAR_BIT
}

/**
 * `SpecSchedule.Next`: the first instant after `fromMs` (whole seconds) the
 * schedule matches in `zone`, or undefined when none is found within five
 * years (robfig returns the zero time then and the job never runs).
 */
export function nextRobfig(schedule: RobfigSchedule, fromMs: number, zone: Zone): number | undefined {
  if (schedule.kind === 'every') return Math.floor(fromMs / 1000) * 1000 + schedule.delayMs
  const s = compile(schedule)
  // Start at the earliest possible time (the upcoming second).
  let t = Math.floor(fromMs / 1000) + 1
  // Whether a field has been incremented (then the lower fields start at 0).
  let added = false
  const yearLimit = wallClock(t, zone).year + 5

  wrap: for (;;) {
    let w = wallClock(t, zone)
    if (w.year > yearLimit) return undefined

    while (!s.month[w.month]) {
      if (!added) {
        added = true
        t = goDate(w.year, w.month, 1, 0, 0, 0, zone)
        w = wallClock(t, zone)
      }
      t = goDate(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, zone) // t.AddDate(0, 1, 0)
      w = wallClock(t, zone)
      if (w.month === 1) continue wrap
    }

    while (!dayMatches(s, w)) {
      if (!added) {
        added = true
        t = goDate(w.year, w.month, w.day, 0, 0, 0, zone)
        w = wallClock(t, zone)
      }
      t = goDate(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, zone) // t.AddDate(0, 0, 1)
      w = wallClock(t, zone)
      if (w.day === 1) continue wrap
    }

    while (!s.hour[w.hour]) {
      if (!added) {
        added = true
        t = goDate(w.year, w.month, w.day, w.hour, 0, 0, zone)
      }
      t += 3600 // t.Add(time.Hour): absolute time, not wall time
      w = wallClock(t, zone)
      if (w.hour === 0) continue wrap
    }

    while (!s.minute[w.minute]) {
      if (!added) {
        added = true
        t = Math.floor(t / 60) * 60 // t.Truncate(time.Minute): absolute time
      }
      t += 60
      w = wallClock(t, zone)
      if (w.minute === 0) continue wrap
    }

    while (!s.second[w.second]) {
      added = true
      t += 1
      w = wallClock(t, zone)
      if (w.second === 0) continue wrap
    }

    return t * 1000
  }
}

// --- internal ---

/** Go's unicode.IsSpace, as strings.Fields splits on it. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/

function parseDescriptor(descriptor: string, parseDuration: DurationParser): RobfigSchedule {
  const b = BOUNDS
  const one = (r: Bounds) => 1n << BigInt(r.min)
  const spec = (second: bigint, minute: bigint, hour: bigint, dom: bigint, month: bigint, dow: bigint) =>
    ({
      kind: 'spec',
      bits: { seconds: second, minutes: minute, hours: hour, 'day-of-month': dom, month, 'day-of-week': dow },
    }) satisfies SpecSchedule
  const [sec, min, hr, dom, mon, dow] = FIELD_NAMES.map((n) => b[n]) as [
    Bounds,
    Bounds,
    Bounds,
    Bounds,
    Bounds,
    Bounds,
  ]
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return spec(one(sec), one(min), one(hr), one(dom), one(mon), all(dow))
    case '@monthly':
      return spec(one(sec), one(min), one(hr), one(dom), all(mon), all(dow))
    case '@weekly':
      return spec(one(sec), one(min), one(hr), all(dom), all(mon), one(dow))
    case '@daily':
    case '@midnight':
      return spec(one(sec), one(min), one(hr), all(dom), all(mon), all(dow))
    case '@hourly':
      return spec(one(sec), one(min), all(hr), all(dom), all(mon), all(dow))
  }
  const every = '@every '
  if (descriptor.startsWith(every)) {
    const ms = parseDuration(descriptor.slice(every.length))
    // Go's time.Duration is int64 nanoseconds: longer durations do not parse
    if (ms === undefined || Math.abs(ms) > 9_223_372_036_854.775) {
      throw new RobfigSyntaxError(`Failed to parse duration ${descriptor}: invalid duration`)
    }
    // Every(): less than a second becomes a second; fractions of a second are dropped
    return { kind: 'every', delayMs: ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000 }
  }
  throw new RobfigSyntaxError(`Unrecognized descriptor: ${descriptor}`)
}

function parseIntOrName(expr: string, names: Bounds['names']): bigint {
  const named = names?.[expr.toLowerCase()]
  if (named !== undefined) return BigInt(named)
  return mustParseInt(expr)
}

/** strconv.Atoi (base 10, optional sign, int64), then robfig's "no negatives". */
function mustParseInt(expr: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    throw new Error(`Failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": invalid syntax`)
  }
  const num = BigInt(expr)
  if (num > 2n ** 63n - 1n || num < -(2n ** 63n)) {
    throw new Error(`Failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": value out of range`)
  }
  if (num < 0n) throw new Error(`Negative number (${num}) not allowed: ${expr}`)
  return num
}

interface Compiled {
  second: boolean[]
  minute: boolean[]
  hour: boolean[]
  dom: boolean[]
  month: boolean[]
  dow: boolean[]
  domStar: boolean
  dowStar: boolean
}

const compiled = new WeakMap<SpecSchedule, Compiled>()

function compile(s: SpecSchedule): Compiled {
  let c = compiled.get(s)
  if (!c) {
    const set = (bits: bigint) => Array.from({ length: 64 }, (_, i) => ((bits >> BigInt(i)) & 1n) === 1n)
    c = {
      second: set(s.bits.seconds),
      minute: set(s.bits.minutes),
      hour: set(s.bits.hours),
      dom: set(s.bits['day-of-month']),
      month: set(s.bits.month),
      dow: set(s.bits['day-of-week']),
      domStar: (s.bits['day-of-month'] & STAR_BIT) !== 0n,
      dowStar: (s.bits['day-of-week'] & STAR_BIT) !== 0n,
    }
    compiled.set(s, c)
  }
  return c
}

/** `dayMatches`: with a star in either day field both must match, otherwise either. */
function dayMatches(s: Compiled, w: WallClock): boolean {
  const domMatch = s.dom[w.day] === true
  const dowMatch = s.dow[w.weekday] === true
  if (s.domStar || s.dowStar) return domMatch && dowMatch
  return domMatch || dowMatch
}
