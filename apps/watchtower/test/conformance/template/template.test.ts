// Runs the conformance tables built from Go's text/template tests (exec.json, parse.json,
// lex.json, numbers.json; each case names its source). Every case agrees with Go unless it
// is marked `deliberate` with a reason, and a deliberate case must really differ (so the
// list of differences stays exact).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTINS } from '../../../src/template/_funcs.ts'
import { lex } from '../../../src/template/_lexer.ts'
import { parseNumber } from '../../../src/template/_literals.ts'
import { nodeString } from '../../../src/template/_nodes.ts'
import { parseTemplate } from '../../../src/template/_parser.ts'
import { compileTemplate, GoFloat, TemplateError } from '../../../src/template/index.ts'
import { FIXTURES, TEST_FUNCS } from './fixtures.ts'

interface Case {
  name: string
  source: string
  deliberate?: string
}
const load = <C extends Case>(file: string): C[] =>
  (JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as { cases: C[] }).cases

function decode(d: unknown, top = false): unknown {
  if (d === null) return top ? undefined : null
  if (Array.isArray(d)) return d.map((x) => decode(x))
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>
    if ('$ref' in o) return FIXTURES[o.$ref as string]
    if ('$float' in o) return new GoFloat(o.$float as number)
    if ('$map' in o) return new Map((o.$map as [unknown, unknown][]).map(([k, v]) => [k, decode(v)]))
  }
  return d
}

/** Runs `check`; for a deliberate case expects it to fail (the engine really differs there). */
function conform(c: Case, check: () => void): void {
  if (!c.deliberate) {
    check()
    return
  }
  expect(c.deliberate.length).toBeGreaterThan(10)
  expect(check, `${c.name} is marked deliberate but agrees with Go`).toThrow()
}

interface ExecCase extends Case {
  template: string
  data: unknown
  output?: string
  error?: string | true
  name_in_errors?: string
}
describe('Go text/template exec_test.go', () => {
  for (const c of load<ExecCase>('./exec.json')) {
    it(c.name, () =>
      conform(c, () => {
        // Go parsed every one of these templates: a failure must come from executing it.
        const tpl = compileTemplate(c.template, { name: c.name_in_errors ?? 'test', funcs: TEST_FUNCS })
        const render = () => tpl.execute(decode(c.data, true))
        if (c.error === undefined) return void expect(render()).toBe(c.output)
        let err: unknown
        try {
          render()
        } catch (e) {
          err = e
        }
        expect(err, 'Go fails here').toBeInstanceOf(TemplateError)
        if (typeof c.error === 'string') expect((err as Error).message).toContain(c.error)
      }),
    )
  }
})

interface ParseCase extends Case {
  input: string
  ok: boolean
  result: string
  comments?: boolean
  maxStackDepth?: number
}
describe('Go text/template parse/parse_test.go', () => {
  const funcs = new Set([...Object.keys(BUILTINS), 'printf', 'contains'])
  for (const c of load<ParseCase>('./parse.json')) {
    it(c.name, () =>
      conform(c, () => {
        const parse = () =>
          nodeString(
            parseTemplate(c.input, {
              name: c.name,
              funcs,
              ...(c.comments ? { comments: true } : {}),
              ...(c.maxStackDepth ? { maxStackDepth: c.maxStackDepth } : {}),
            }),
          )
        if (c.ok) return void expect(parse()).toBe(c.result)
        expect(parse).toThrow(TemplateError)
        if (c.result) expect(parse).toThrow(c.result)
      }),
    )
  }
})

interface LexCase extends Case {
  input: string
  items: [string, string, number?, number?][]
}
describe('Go text/template parse/lex_test.go', () => {
  for (const c of load<LexCase>('./lex.json')) {
    it(c.name, () =>
      conform(c, () => {
        const got = lex(c.input, true).map((i, n) => {
          const want = c.items[n]
          return want && want.length > 2 ? [i.typ, i.val, i.pos, i.line] : [i.typ, i.val]
        })
        expect(got).toEqual(c.items)
      }),
    )
  }
})

interface NumberCase extends Case {
  text: string
  isInt?: boolean
  isUint?: boolean
  isFloat?: boolean
  isComplex?: boolean
  int?: string
  uint?: string
  float?: number
}
describe('Go text/template parse/parse_test.go numberTests', () => {
  for (const c of load<NumberCase>('./numbers.json')) {
    it(c.text, () =>
      conform(c, () => {
        const typ = c.text.startsWith("'")
          ? 'charconst'
          : /^[+-]?[0-9.]+[+-][0-9.]+i$/.test(c.text)
            ? 'complex'
            : 'number'
        const ok = c.isInt || c.isUint || c.isFloat || c.isComplex
        if (!ok) return void expect(() => parseNumber(0, c.text, typ)).toThrow()
        const n = parseNumber(0, c.text, typ)
        expect([n.isInt, n.isUint, n.isFloat, n.isComplex]).toEqual([
          !!c.isInt,
          !!c.isUint,
          !!c.isFloat,
          !!c.isComplex,
        ])
        if (c.isInt) expect(String(n.int)).toBe(c.int)
        if (c.isUint) expect(String(n.uint)).toBe(c.uint)
        if (c.isFloat) expect(n.float).toBe(c.float)
      }),
    )
  }
})
