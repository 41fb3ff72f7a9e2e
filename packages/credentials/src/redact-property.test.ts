import { Buffer } from 'node:buffer'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { createRedactor, proseOnly, redactUrl, safeExcerpt, stripControl } from './redact.ts'

// Generated secrets: any text of 6+ characters (unicode included) that holds no `*` (the mark itself).
const secret = fc
  .string({ minLength: 6, maxLength: 40, unit: 'binary' })
  .filter((s) => !s.includes('*') && s.trim() === s && s !== '')
// Secrets a program might print inside prose: 6+ characters of the token alphabet with a digit or symbol.
const tokenish = fc.stringMatching(/^[A-Za-z0-9+/=._~!$%-]{6,40}$/).filter((s) => /[0-9+/=._~!$%-]/.test(s))
const prose = fc.array(
  fc.constantFrom('error', 'getting', 'credentials', 'the', 'store', 'is', 'locked', 'cannot', 'unlock'),
  {
    maxLength: 8,
  },
)
const around = fc.string({ maxLength: 30, unit: 'binary' }).filter((s) => !s.includes('*'))
// biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about control characters
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

describe('the redaction path, fed generated secrets', () => {
  test.prop([secret, around, around])(
    'a known secret never survives, raw or in any encoded form',
    (s, a, b) => {
      const redact = createRedactor({ secrets: [s] })
      for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]) {
        const out = redact(`${a}${form}${b}`)
        expect(out).not.toContain(s)
      }
    },
  )

  test.prop([secret, fc.constantFrom('REPO_PASS', 'GOTIFY_TOKEN', 'AWS_SECRET_ACCESS_KEY'), around])(
    'the value of a secret-looking env variable never survives',
    (s, name, a) => {
      expect(createRedactor({ env: { [name]: s } })(`${a}${s}${a}`)).not.toContain(s)
    },
  )

  test.prop([
    fc.stringMatching(/^[A-Za-z0-9._~-]{3,20}$/),
    fc.stringMatching(/^[A-Za-z0-9._~%!$-]{3,30}$/),
    around,
  ])('URL userinfo never survives, in a URL or in text around it', (user, pass, a) => {
    const url = `https://${user}:${pass}@hooks.example:8443/path?x=1`
    const out = createRedactor()(`${a} ${url} ${a}`)
    expect(out).not.toContain(`${user}:${pass}`)
    expect(out).not.toContain(`:${pass}@`)
    expect(redactUrl(url)).toBe('https://hooks.example:8443/path')
  })

  test.prop([fc.stringMatching(/^[a-z0-9]{3,12}$/), tokenish])(
    'an echoed Authorization header never shows base64(user:password)',
    (user, pass) => {
      const basic = Buffer.from(`${user}:${pass}`).toString('base64')
      const body = `{"headers":{"authorization":"Basic ${basic}","user-agent":"watchtower-ts"}}`
      expect(safeExcerpt(body)).not.toContain(basic)
      expect(createRedactor()(`Authorization: Basic ${basic}`)).not.toContain(basic)
    },
  )

  test.prop([secret])('a program that prints only its secret never has it shown', (s) => {
    expect(proseOnly(s)).not.toContain(s)
    expect(proseOnly(`\n${s}\n`)).not.toContain(s)
  })

  test.prop([tokenish, prose, prose])('a token-shaped secret inside prose never survives', (s, a, b) => {
    const out = proseOnly([...a, s, ...b].join(' '))
    expect(out).not.toContain(s)
  })

  test.prop([fc.string({ maxLength: 200, unit: 'binary' })])(
    'stripControl leaves no control character',
    (text) => {
      expect(stripControl(text)).not.toMatch(CONTROL)
      expect(stripControl(text)).not.toContain('\x1b')
    },
  )

  it('strips the escape codes a hostile tag list uses to redraw a terminal line', () => {
    const hostile = 'v1\x1b[1A\x1b[2K\r\x1b[32mOK: every step passed\x1b[0m\x9b2J\u202eevil'
    expect(stripControl(hostile)).toBe('v1OK: every step passedevil')
  })

  it('keeps prose readable: words like "Basic authentication" and "token server" stay', () => {
    const redact = createRedactor()
    expect(redact('the registry uses Basic authentication; the token server answered 401')).toBe(
      'the registry uses Basic authentication; the token server answered 401',
    )
  })
})
