import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ageGate, parseCooldownDelay } from './cooldown.ts'
import { parseDockerVersion, parseTagPolicy, pickNewerTag, TagPolicyError } from './tag-policy.ts'

interface Case {
  current: string
  policy: string
  tags?: string[]
  include?: string
  exclude?: string
  transform?: string
  want: string | null
  why?: string
}
const table = JSON.parse(readFileSync(new URL('../test/tag-policy-cases.json', import.meta.url), 'utf8')) as {
  tags: string[]
  cases: Case[]
}

describe('pickNewerTag: the table of cases', () => {
  it.each(table.cases.map((c) => [`${c.current} ${c.policy}${c.why ? ` (${c.why})` : ''}`, c] as const))(
    '%s',
    (_name, c) => {
      const policy = parseTagPolicy(c, 'test')
      const choice = pickNewerTag(c.current, c.tags ?? table.tags, policy)
      if (c.want === 'not-a-version') expect(choice.kind).toBe('not-a-version')
      else if (c.want === null) expect(choice.kind).toBe('none')
      else expect(choice).toEqual({ kind: 'newer', tag: c.want, from: c.current })
    },
  )
})

describe('parseDockerVersion', () => {
  it.each([
    ['1.25.3-alpine', { prefix: '', release: [1, 25, 3], suffix: 'alpine' }],
    ['v1.2.0-rc.1-alpine', { prefix: 'v', release: [1, 2, 0], prerelease: 'rc.1', suffix: 'alpine' }],
    ['16-bullseye-slim', { prefix: '', release: [16], suffix: 'bullseye-slim' }],
    ['3.18-alpine3.19', { prefix: '', release: [3, 18], suffix: 'alpine3.19' }],
    ['latest', undefined],
    ['1.2.3.4.5', undefined],
    ['sha-0123abc', undefined],
  ])('%s', (tag, want) => {
    expect(parseDockerVersion(tag)).toEqual(want)
  })
})

describe('parseTagPolicy', () => {
  it('names the place and the bad value', () => {
    expect(() => parseTagPolicy({ policy: 'semver' }, 'container /web, label tag-policy')).toThrow(
      /container \/web, label tag-policy: tag policy "semver" is not one of digest, semver:patch/,
    )
    expect(() => parseTagPolicy({ policy: 'semver:minor', include: '(' }, '--tag-include')).toThrow(
      TagPolicyError,
    )
    expect(() => parseTagPolicy({ policy: 'semver:minor', transform: '^(\\d+)$' }, 'x')).toThrow(
      /REGEX => REPLACEMENT/,
    )
  })
  it('defaults to digest', () => {
    expect(parseTagPolicy({}, 'x')).toEqual({ kind: 'digest' })
  })
})

describe('cooldown delay', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['3d', 3 * 86_400_000],
    ['1w2d', 9 * 86_400_000],
    ['1M', 30 * 86_400_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['', 0],
  ])('%s', (text, ms) => {
    expect(parseCooldownDelay(text, 'x')).toBe(ms)
  })
  it('refuses what is not a duration, naming the place', () => {
    expect(() => parseCooldownDelay('3 days', '--cooldown-delay')).toThrow(
      /--cooldown-delay: "3 days" is not a duration/,
    )
    expect(() => parseCooldownDelay('10', 'label cooldown-delay')).toThrow(TagPolicyError)
  })
  it('holds an image back until it is old enough, and says how long to go', () => {
    const created = Date.parse('2026-12-01T00:00:00Z')
    const gate = ageGate(created, Date.parse('2026-12-02T00:00:00Z'), 3 * 86_400_000)
    expect(gate).toEqual({ ok: false, waitMs: 2 * 86_400_000, reason: expect.stringContaining('2d to go') })
    expect(ageGate(created, Date.parse('2026-12-04T00:00:01Z'), 3 * 86_400_000)).toEqual({ ok: true })
    expect(ageGate(undefined, 0, 1000)).toEqual({ ok: true })
  })
})
