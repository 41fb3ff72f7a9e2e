import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type Challenge, parseChallenges, pickChallenge } from '../../src/challenge.ts'

/**
 * Runs every case of challenge.distribution.json (distribution's own challenge tests and one case
 * per branch of its parser, each naming repository, file, commit) against parseChallenges.
 * `differs` marks a deliberate difference: ours must give `differs.ours`, for the reason written there.
 */
interface Case {
  source: { repository: string; path: string; commit: string; test: string }
  headers: string[]
  expect: Challenge[]
  pick?: number
  ignore?: string[]
  differs?: { ours: Challenge[]; reason: string }
}
const table = JSON.parse(readFileSync(new URL('./challenge.distribution.json', import.meta.url), 'utf8')) as {
  cases: Case[]
}

function parsed(c: Case): Challenge[] {
  return parseChallenges(c.headers).map((ch) => {
    const copy: Challenge = { ...ch }
    for (const key of c.ignore ?? []) delete (copy as unknown as Record<string, unknown>)[key]
    return copy
  })
}

describe('WWW-Authenticate challenges agree with distribution', () => {
  it('every case names its source', () => {
    for (const c of table.cases) {
      expect(c.source.repository).toBe('distribution/distribution')
      expect(c.source.commit).toMatch(/^[0-9a-f]{40}$/)
      expect(c.source.path).toMatch(/^internal\/client\/auth\/challenge\//)
    }
  })
  const agreeing = table.cases.filter((c) => c.differs === undefined)
  const differing = table.cases.filter((c) => c.differs !== undefined)
  it.each(agreeing.map((c) => [c.source.test, c] as const))('%s', (_, c) => {
    const got = parsed(c)
    expect(got).toEqual(c.expect)
    if (c.pick !== undefined) expect(pickChallenge(got)).toEqual(c.expect[c.pick])
  })
  it.each(differing.map((c) => [c.source.test, c] as const))('deliberately differs: %s', (_, c) => {
    expect(parsed(c)).toEqual(c.differs!.ours)
    // what is answered is never worse than Go's: the first challenge Go sees is ours too, or Go has none usable
    const goPick = pickChallenge(c.expect)
    if (goPick !== undefined) {
      const ours = pickChallenge(parsed(c))!
      expect(ours.scheme).toBe(goPick.scheme)
      expect(ours.params['realm']).toBe(goPick.params['realm'])
    }
  })
})
