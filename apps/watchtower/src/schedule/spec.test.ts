import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { goDate, loadZone, UTC, wallClock } from './_zone.ts'
import { parseSchedule } from './spec.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
/** The next `n` run times after `from`, as the daemon walks them. */
function runs(spec: string, tz: string | undefined, from: string, n: number): string[] {
  const s = parseSchedule(spec, tz)
  const out: string[] = []
  let t = at(from)
  for (let i = 0; i < n; i++) {
    t = s.next(t)
    out.push(iso(t))
  }
  return out
}
function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return e as ConfigError
  }
  throw new Error('no error')
}

describe('parseSchedule: robfig/cron v1.2.0 as watchtower runs it', () => {
  it('N/step means N-max/step (croner refused these)', () => {
    expect(runs('0 0/30 * * * *', 'UTC', '2026-01-01T00:10:00Z', 3)).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T01:30:00.000Z',
    ])
    // five fields: seconds first, day-of-week left out
    expect(runs('0 0/15 * * *', 'UTC', '2026-01-01T00:14:00Z', 2)).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
    ])
    // Mon/2 = Mon-Sat/2: Monday, Wednesday, Friday (2026-01-05 is a Monday)
    expect(runs('0 0 0 * * Mon/2', 'UTC', '2026-01-04T12:00:00Z', 4)).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-07T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-12T00:00:00.000Z',
    ])
  })

  it('*/N in day-of-month counts from the 1st of each month; a */N day field still needs the other', () => {
    expect(runs('0 0 0 */2 * *', 'UTC', '2026-01-30T12:00:00Z', 3)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-02-03T00:00:00.000Z',
    ])
    // */5 carries the star: day 1, 6, 11, 16, 21, 26, 31 AND a Monday
    expect(runs('0 0 12 */5 * Mon', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-26T12:00:00.000Z',
      '2026-02-16T12:00:00.000Z',
    ])
  })

  it('spring forward in New York: a 02:00 job is skipped that day, hourly jobs skip the hour', () => {
    expect(runs('0 0 2 * * *', 'America/New_York', '2026-03-07T12:00:00-05:00', 2)).toEqual([
      '2026-03-09T06:00:00.000Z', // 02:00 EDT on the 9th: none on the 8th
      '2026-03-10T06:00:00.000Z',
    ])
    expect(runs('0 0 * * * *', 'America/New_York', '2026-03-08T00:30:00-05:00', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T08:00:00.000Z',
    ])
  })

  it('fall back in New York: a 01:00 job runs in both 01:00 hours', () => {
    expect(runs('0 0 1 * * *', 'America/New_York', '2026-11-01T00:00:00-04:00', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-02T06:00:00.000Z',
    ])
  })

  it('@every runs on whole seconds from the instant it is asked, like robfig', () => {
    expect(runs('@every 1h30m', 'UTC', '2026-01-01T10:00:00.750Z', 2)).toEqual([
      '2026-01-01T11:30:00.000Z',
      '2026-01-01T13:00:00.000Z',
    ])
    expect(runs('@every 500ms', 'UTC', '2026-01-01T10:00:00.250Z', 1)).toEqual(['2026-01-01T10:00:01.000Z'])
  })

  it('TZ: unset is this machine’s zone, empty is UTC (Go), a leading colon is dropped', () => {
    const local = new Intl.DateTimeFormat().resolvedOptions().timeZone
    expect(parseSchedule('@daily').timezone).toBe(local)
    expect(parseSchedule('@daily', '').timezone).toBe('UTC')
    expect(parseSchedule('@daily', ':Europe/Berlin').timezone).toBe('Europe/Berlin')
    expect(runs('@daily', 'Asia/Tokyo', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-01T15:00:00.000Z'])
  })

  it('refuses an unknown TZ, naming it (Go would silently run in UTC)', () => {
    const e = configError(() => parseSchedule('@daily', 'Mars/Olympus', { timezoneSource: 'env TZ' }))
    expect(e.source).toBe('env TZ')
    expect(e.message).toMatch(/invalid time zone "Mars\/Olympus" in env TZ \(the time zone of --schedule\)/)
  })

  it('refuses what robfig refuses, naming the flag and the field', () => {
    const e = configError(() => parseSchedule('0 0 0 * * 7', 'UTC', { source: 'flag --schedule' }))
    expect(e.code).toBe('WT_WATCHTOWER_CONFIG')
    expect(e.source).toBe('flag --schedule')
    expect(e.message).toBe(
      'invalid schedule "0 0 0 * * 7": day-of-week field: End of range (7) above maximum (6): 7 (from flag --schedule)',
    )
    expect(configError(() => parseSchedule('0 0 0 L * *', 'UTC')).message).toMatch(
      /day-of-month field: Failed to parse int from L/,
    )
    expect(configError(() => parseSchedule('*/0 * * * * *', 'UTC')).message).toMatch(
      /seconds field: Step of range should be a positive number/,
    )
    expect(configError(() => parseSchedule('@reboot', 'UTC')).message).toMatch(
      /Unrecognized descriptor: @reboot; known: @yearly, .* @every <Go duration>/,
    )
  })

  it('explains that TZ= and CRON_TZ= prefixes are not part of robfig v1.2.0', () => {
    for (const spec of ['TZ=UTC 0 0 4 * * *', 'CRON_TZ=Europe/Berlin 0 4 * * *']) {
      expect(configError(() => parseSchedule(spec, 'UTC')).message).toMatch(
        /prefix is not part of robfig\/cron v1\.2\.0 \(watchtower\): set the TZ environment variable instead/,
      )
    }
  })

  it('deliberate differences: surrounding white space, non-positive @every', () => {
    expect(runs(' @daily ', 'UTC', '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z'])
    for (const spec of ['@every 0s', '@every -5m']) {
      expect(configError(() => parseSchedule(spec, 'UTC')).message).toMatch(
        /@every needs a positive Go duration/,
      )
    }
  })

  it('a spec that never fires says so when asked for its next run', () => {
    const s = parseSchedule('0 0 0 30 Feb ?', 'UTC')
    const e = configError(() => s.next(at('2026-01-01T00:00:00Z')))
    expect(e.message).toBe(
      'schedule "0 0 0 30 Feb ?" never fires: no time in the next 5 years matches it in UTC (from --schedule)',
    )
  })
})

describe('README', () => {
  it('every --schedule example parses', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    const examples = [...readme.matchAll(/--schedule (?:"([^"]+)"|(@\w+))/g)].map((m) => m[1] ?? m[2]!)
    expect(examples).toContain('0 0/30 * * * *')
    for (const spec of examples) expect(() => parseSchedule(spec, 'UTC').next(Date.now())).not.toThrow()
  })
})

describe('zone arithmetic (Go time.Date)', () => {
  const ny = loadZone('America/New_York')!
  it('reads offsets from the IANA data, seconds included', () => {
    expect(ny.offset(at('2026-01-15T00:00:00Z') / 1000)).toBe(-5 * 3600)
    expect(ny.offset(at('2026-07-15T00:00:00Z') / 1000)).toBe(-4 * 3600)
    // local mean time before 1883: -4:56:02
    expect(ny.offset(at('1800-01-01T00:00:00Z') / 1000)).toBe(-(4 * 3600 + 56 * 60 + 2))
    expect(loadZone('Nowhere/Special')).toBeUndefined()
  })
  it('resolves wall times in a gap and a repeat as Go does', () => {
    // 02:30 on the spring-forward day does not exist: Go reads it with the later offset (EDT),
    // which lands on 01:30 EST (checked with Go 1.19: time.Date(2026, 3, 8, 2, 30, 0, 0, ny))
    expect(iso(goDate(2026, 3, 8, 2, 30, 0, ny) * 1000)).toBe('2026-03-08T06:30:00.000Z')
    // 01:30 on the fall-back day exists twice: Go gives the first (EDT)
    expect(iso(goDate(2026, 11, 1, 1, 30, 0, ny) * 1000)).toBe('2026-11-01T05:30:00.000Z')
    // overflowing fields carry over
    expect(iso(goDate(2026, 13, 32, 0, 0, 0, UTC) * 1000)).toBe('2027-02-01T00:00:00.000Z')
  })
  it('gives wall-clock fields and the weekday', () => {
    expect(wallClock(at('2026-03-08T07:30:00Z') / 1000, ny)).toEqual({
      year: 2026,
      month: 3,
      day: 8,
      hour: 3,
      minute: 30,
      second: 0,
      weekday: 0,
    })
  })
})
