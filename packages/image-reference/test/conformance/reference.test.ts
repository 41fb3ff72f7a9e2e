import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ImageReference, parseReference } from '../../src/index.ts'

/**
 * Runs every case of reference.distribution.json (cases copied from distribution/reference's own
 * tests, each naming its repository, file, commit and test) against parseReference. A case with
 * `differs` is a deliberate difference: ours must give `differs.ours`, and the reason is written there.
 */
interface Expect {
  valid: boolean
  error?: string
  registry?: string
  repository?: string
  tag?: string
  digest?: string
  canonical?: string
  pinned?: boolean
  kind?: string
}
interface Case {
  source: { repository: string; path: string; commit: string; test: string }
  input: string
  expect: Expect
  canonical?: string
  differs?: { ours: Expect; reason: string }
}
const table = JSON.parse(readFileSync(new URL('./reference.distribution.json', import.meta.url), 'utf8')) as {
  cases: Case[]
}

function outcome(input: string): { ref?: ImageReference; error?: Error } {
  try {
    return { ref: parseReference(input) }
  } catch (error) {
    return { error: error as Error }
  }
}

function check(input: string, want: Expect): void {
  const { ref, error } = outcome(input)
  if (!want.valid) {
    expect(ref, `${input} must be refused`).toBeUndefined()
    expect((error as { code?: string }).code).toBe('WT_REFERENCE_INVALID')
    if (want.error === 'ErrNameTooLong') expect(error!.message).toContain('longer than 255')
    if (want.error === 'ErrNameContainsUppercase') expect(error!.message).toContain('lowercase')
    return
  }
  expect(error, `${input} must parse`).toBeUndefined()
  const got = ref!
  if (want.registry !== undefined) expect(got.registry).toBe(want.registry)
  if (want.repository !== undefined) expect(got.repository).toBe(want.repository)
  if (want.registry !== undefined || want.tag !== undefined) expect(got.tag).toBe(want.tag)
  if (want.registry !== undefined || want.digest !== undefined) expect(got.digest).toBe(want.digest)
  if (want.canonical !== undefined) expect(got.canonical).toBe(want.canonical)
  if (want.pinned !== undefined) expect(got.pinned).toBe(want.pinned)
  if (want.digest !== undefined) expect(got.pinned).toBe(true)
}

describe('image references agree with distribution/reference', () => {
  const label = (c: Case) =>
    `${c.source.test}: ${c.input.length > 80 ? `${c.input.slice(0, 77)}...` : c.input}`
  const agreeing = table.cases.filter((c) => c.differs === undefined)
  const differing = table.cases.filter((c) => c.differs !== undefined)

  it('every case names its source', () => {
    expect(table.cases.length).toBeGreaterThan(150)
    for (const c of table.cases) {
      expect(c.source.repository).toBe('distribution/reference')
      expect(c.source.commit).toMatch(/^[0-9a-f]{40}$/)
      expect(c.source.path).toMatch(/_test\.go$/)
      if (c.differs) expect(c.differs.reason.length).toBeGreaterThan(40)
    }
  })

  it.each(agreeing.map((c) => [label(c), c] as const))('%s', (_, c) => {
    check(c.input, c.expect)
    if (c.canonical !== undefined) expect(parseReference(c.input).canonical).toBe(c.canonical)
  })

  it.each(differing.map((c) => [label(c), c] as const))('deliberately differs: %s', (_, c) => {
    check(c.input, c.differs!.ours)
  })
})
