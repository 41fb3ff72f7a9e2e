import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseGoDuration } from '../config/_values.ts'
import { ConfigError } from '../errors.ts'
import {
  all,
  BOUNDS,
  type FieldName,
  getBits,
  getField,
  getRange,
  nextRobfig,
  parseRobfig,
  type RobfigSchedule,
  RobfigSyntaxError,
} from './_robfig.ts'
import { fixedZone, loadZone, type Zone } from './_zone.ts'
import { parseSchedule } from './spec.ts'

// robfig/cron v1.2.0's own test tables and documented behaviour, answered by its own code
// (see the file's $comment).
interface Source {
  repository: string
  path: string
  commit: string
  line: number
  test?: string
}
type Answer = { bits: Record<FieldName, string> } | { delay: string } | { error: string } | 'error'
interface Case {
  kind: 'range' | 'field' | 'all' | 'bits' | 'parse' | 'next' | 'activation' | 'error'
  source: Source
  spec?: string
  expr?: string
  min?: number
  max?: number
  step?: number
  field?: FieldName
  zone?: string
  from?: string
  at?: string
  expected?: string | null | boolean | Answer
  error?: string
  robfigError?: string
  parser?: string
  differs?: { reason: string; ours: Answer }
}
const table = JSON.parse(
  readFileSync(new URL('./__fixtures__/robfig-cron-v1.2.0.json', import.meta.url), 'utf8'),
) as { reference: { commit: string }; cases: Case[] }

const COMMIT = 'b41be1df696709bb6395fe435af20370037c0b4c'
const hex = (b: bigint) => `0x${b.toString(16)}`
const zoneOf = (name: string): Zone => {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(name)
  if (m) return fixedZone(name, (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60))
  const z = loadZone(name)
  if (!z) throw new Error(`unknown zone ${name}`)
  return z
}
const answerOf = (s: RobfigSchedule): Answer =>
  s.kind === 'every'
    ? { delay: `${s.delayMs}ms` }
    : {
        bits: Object.fromEntries(Object.entries(s.bits).map(([k, v]) => [k, hex(v)])) as Record<
          FieldName,
          string
        >,
      }
/** Go prints durations as 1h30m0s; compare them as milliseconds. */
const normal = (a: Answer): Answer =>
  typeof a === 'object' && 'delay' in a ? { delay: `${parseGoDuration(a.delay)}ms` } : a
/** robfig's message up to its first detail (`Failed to parse int from x`, `End of range (60) above maximum (59)`). */
const phrase = (message: string) => message.split(': ')[0]!
const label = (c: Case) =>
  `${c.source.path}:${c.source.line} ${c.kind} ${JSON.stringify(c.spec ?? c.expr ?? c.field ?? '')}${c.zone ? ` in ${c.zone}` : ''}${c.from ? ` from ${c.from}` : ''}`

function ours(spec: string): Answer {
  try {
    return answerOf(parseRobfig(spec.trim(), parseGoDuration))
  } catch (e) {
    if (e instanceof RobfigSyntaxError) return { error: e.message }
    throw e
  }
}

describe('robfig/cron v1.2.0 conformance table', () => {
  it('names its source for every case, at the commit watchtower pins', () => {
    expect(table.reference.commit).toBe(COMMIT)
    expect(table.cases.length).toBeGreaterThan(300)
    for (const c of table.cases) {
      expect(c.source).toMatchObject({ repository: 'github.com/robfig/cron', commit: COMMIT })
      expect(c.source.path).toMatch(/^(parser_test|spec_test|constantdelay_test|doc|spec)\.go$/)
      if (c.differs) expect(c.differs.reason.length).toBeGreaterThan(20)
    }
    const tests = new Set(table.cases.map((c) => c.source.test).filter(Boolean))
    expect([...tests].sort()).toEqual([
      'TestActivation',
      'TestAll',
      'TestBits',
      'TestConstantDelayNext',
      'TestErrors',
      'TestField',
      'TestNext',
      'TestNextWithTz',
      'TestParse',
      'TestRange',
      'TestStandardSpecSchedule',
    ])
  })

  it.each(
    table.cases.filter((c) => ['range', 'field', 'all', 'bits'].includes(c.kind)).map((c) => [label(c), c]),
  )('%s', (_, c) => {
    const r = { min: c.min!, max: c.max! }
    if (c.kind === 'range' && c.error) {
      expect(() => getRange(c.expr!, r)).toThrow(c.error)
      return
    }
    const bits =
      c.kind === 'range'
        ? getRange(c.expr!, r)
        : c.kind === 'field'
          ? getField(c.expr!, r)
          : c.kind === 'all'
            ? all(BOUNDS[c.field!])
            : getBits(c.min!, c.max!, BigInt(c.step!))
    expect(hex(bits)).toBe(c.expected)
  })

  it.each(table.cases.filter((c) => c.kind === 'parse').map((c) => [label(c), c]))('%s', (_, c) => {
    const got = ours(c.spec!)
    if (c.differs) {
      // a deliberate difference: the case says what we answer, and why
      if (c.differs.ours === 'error') {
        expect(() => parseSchedule(c.spec!, 'UTC')).toThrow(ConfigError)
      } else if ('error' in c.differs.ours) {
        expect(got).toHaveProperty('error')
        expect(phrase((got as { error: string }).error)).toBe(phrase(c.differs.ours.error))
      } else expect(normal(got)).toEqual(normal(c.differs.ours))
      return
    }
    if (c.error) {
      expect(got).toHaveProperty('error')
      expect((got as { error: string }).error).toContain(c.error)
      expect(() => parseSchedule(c.spec!, 'UTC')).toThrow(ConfigError)
      return
    }
    expect(normal(got)).toEqual(normal(c.expected as Answer))
    expect(parseSchedule(c.spec!, 'UTC').spec).toBe(c.spec!.trim())
  })

  it.each(table.cases.filter((c) => c.kind === 'next' || c.kind === 'activation').map((c) => [label(c), c]))(
    '%s',
    (_, c) => {
      const schedule = parseRobfig(c.spec!.trim(), parseGoDuration)
      const zone = zoneOf(c.zone!)
      if (c.kind === 'activation') {
        const at = Date.parse(c.at!)
        expect(nextRobfig(schedule, at - 1000, zone) === at).toBe(c.expected)
        return
      }
      const expected = c.expected === null ? undefined : Date.parse(c.expected as string)
      const from = Date.parse(c.from!)
      const got = nextRobfig(schedule, from, zone)
      expect(got === undefined ? null : new Date(got).toISOString()).toBe(
        expected === undefined ? null : new Date(expected).toISOString(),
      )
      // and the same through the daemon's entry point, where the zone is an IANA name (TZ)
      if (!/^[+-]/.test(c.zone!)) {
        const spec = parseSchedule(c.spec!, c.zone!)
        if (expected === undefined) expect(() => spec.next(from)).toThrow(/never fires/)
        else expect(spec.next(from)).toBe(expected)
      }
    },
  )

  it.each(table.cases.filter((c) => c.kind === 'error').map((c) => [label(c), c]))('%s', (_, c) => {
    let robfig: unknown
    try {
      parseRobfig(c.spec!, parseGoDuration)
    } catch (e) {
      robfig = e
    }
    expect(robfig).toBeInstanceOf(RobfigSyntaxError)
    const message = (robfig as RobfigSyntaxError).message
    expect(message).toContain(phrase(c.robfigError ?? c.error!))
    expect((robfig as RobfigSyntaxError).field).toBe(c.field)

    // what a user sees: a ConfigError naming the flag, the spec and the field at fault
    let err: unknown
    try {
      parseSchedule(c.spec!, 'UTC', { source: 'env WATCHTOWER_SCHEDULE' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const e = err as ConfigError
    expect(e.code).toBe('WT_WATCHTOWER_CONFIG')
    expect(e.source).toBe('env WATCHTOWER_SCHEDULE')
    expect(e.message).toContain(`invalid schedule "${c.spec}"`)
    expect(e.message).toContain('env WATCHTOWER_SCHEDULE')
    if (c.field) expect(e.message).toContain(`${c.field} field`)
  })
})
