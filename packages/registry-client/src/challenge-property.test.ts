import { fc, test } from '@fast-check/vitest'
import { parseReference } from '@watchtower-ts/image-reference'
import { expect } from 'vitest'
import { parseChallenges } from './challenge.ts'

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('')
const token = fc.array(fc.constantFrom(...TCHARS), { minLength: 1, maxLength: 12 }).map((a) => a.join(''))
const value = fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s))
const challenge = fc.record({
  scheme: token,
  params: fc.uniqueArray(fc.tuple(token, value), {
    minLength: 1,
    maxLength: 5,
    selector: ([k]) => k.toLowerCase(),
  }),
})

function quote(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

test.prop([fc.array(challenge, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '  ')])(
  'serialize → parse gives back every challenge (quoted values with commas, quotes, escapes, =)',
  (challenges, space) => {
    const header = challenges
      .map(
        (c) =>
          `${c.scheme} ${c.params.map(([k, v]) => `${k}${space}=${space}${quote(v)}`).join(`,${space}`)}`,
      )
      .join(`,${space}`)
    const parsed = parseChallenges(header)
    expect(parsed).toEqual(
      challenges.map((c) => ({
        scheme: c.scheme.toLowerCase(),
        params: Object.fromEntries(c.params.map(([k, v]) => [k.toLowerCase(), v])),
      })),
    )
  },
)

test.prop([fc.string({ maxLength: 200 })])('never throws nor loops on arbitrary input', (s) => {
  expect(Array.isArray(parseChallenges(s))).toBe(true)
})

const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/).filter((s) => s.length <= 30)
const host = fc.constantFrom(
  '',
  'ghcr.io/',
  '127.0.0.1:5000/',
  'localhost/',
  'registry.example.com:443/',
  'docker.io/',
)
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/)

test.prop([host, fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(tag, { nil: undefined })])(
  'parsing the canonical form gives the same reference',
  (h, path, t) => {
    const input = `${h}${path.join('/')}${t === undefined ? '' : `:${t}`}`
    let ref: ReturnType<typeof parseReference>
    try {
      ref = parseReference(input)
    } catch {
      return // e.g. a 64-hex name without a host: rejected on purpose
    }
    const again = parseReference(ref.canonical)
    // the canonical form writes the tag out, so only `defaultTag` (was `latest` filled in) differs
    expect(again.defaultTag).toBe(false)
    expect({ ...again, original: '', defaultTag: ref.defaultTag }).toEqual({ ...ref, original: '' })
    expect(ref.original).toBe(input)
  },
)
