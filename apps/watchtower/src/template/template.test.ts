import { describe, expect, it } from 'vitest'
import { compileTemplate, GoFloat, TemplateError } from './index.ts'

const run = (src: string, data: unknown) => compileTemplate(src).execute(data)

describe('Go text/template subset', () => {
  const data = {
    Title: 'hello world',
    Items: [
      { Name: 'a', N: 1 },
      { Name: 'b', N: 2 },
    ],
    Empty: [],
    Map: { z: 1, a: 2 },
    ID: 'sha256:0123456789abcdef0123',
    Nested: { Inner: { Value: 'deep' } },
    Fn() {
      return 'called'
    },
  }
  const cases: [string, string][] = [
    ['plain text', 'plain text'],
    ['{{.Title}}', 'hello world'],
    ['{{.Nested.Inner.Value}}', 'deep'],
    ['{{.Fn}}', 'called'],
    ['{{.ID.ShortID}}', '0123456789ab'],
    ['{{range .Items}}{{.Name}}={{.N}};{{end}}', 'a=1;b=2;'],
    ['{{range $i, $e := .Items}}{{$i}}:{{$e.Name}} {{end}}', '0:a 1:b '],
    ['{{range $e := .Items}}{{$e.Name}}{{end}}', 'ab'],
    ['{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['{{range $k, $v := .Map}}{{$k}}{{$v}}{{end}}', 'a2z1'],
    ['{{if .Items}}yes{{else}}no{{end}}', 'yes'],
    ['{{if .Empty}}yes{{else if .Title}}title{{else}}no{{end}}', 'title'],
    ['{{if not .Empty}}empty{{end}}', 'empty'],
    ['{{with .Nested.Inner}}{{.Value}}{{end}}', 'deep'],
    ['{{with .Missing}}x{{else}}missing{{end}}', 'missing'],
    ['{{len .Items}} {{len .Title}}', '2 11'],
    [
      '{{printf "%s has %d items (%5.2f) %q %v%%" .Title (len .Items) 3.14159 "q" true}}',
      'hello world has 2 items ( 3.14) "q" true%',
    ],
    ['{{printf "%-4s|%04d" "ab" 7}}', 'ab  |0007'],
    ['{{.Title | ToUpper}}', 'HELLO WORLD'],
    ['{{.Title | Title}}', 'Hello World'],
    ['{{"ABC" | ToLower | printf "<%s>"}}', '<abc>'],
    ['{{ToJSON .Map}}', '{\n  "z": 1,\n  "a": 2\n}'],
    ['{{$x := .Title}}{{$x}}', 'hello world'],
    ['{{$x := 1}}{{range .Items}}{{$x = .N}}{{end}}{{$x}}', '2'],
    ['{{$}}', ''], // replaced below
    ['a  {{- " b " -}}  c', 'a b c'],
    ['{{/* a comment */}}x', 'x'],
    ['{{- /* trimmed */ -}}  y', 'y'],
    ['{{eq .Title "hello world"}} {{ne 1 2}} {{lt 1 2}} {{ge 2 3}}', 'true true true false'],
    ['{{and .Title .Empty}}|{{or .Empty .Title}}', '[]|hello world'],
    ['{{index .Items 1 | printf "%v"}}', '{b 2}'],
    ['{{(index .Items 0).Name}}', 'a'],
    ['{{.Missing}}', '<no value>'],
    ['{{.Missing.Deeper}}', '<no value>'],
    ['{{print "a" 1 2 "b"}}', 'a1 2b'],
    ['{{println "a" 1}}', 'a 1\n'],
    ['{{`raw\\n`}}', 'raw\\n'],
    ['{{"esc\\n"}}', 'esc\n'],
  ]
  for (const [src, want] of cases) {
    if (src === '{{$}}') continue
    it(src, () => expect(run(src, data)).toBe(want))
  }
  it('.Time.Format with a Go layout', () => {
    const t = { Time: new Date(Date.UTC(2026, 2, 4, 15, 6, 7, 89)) }
    expect(run('{{.Time.Format "2006-01-02 15:04:05.000 MST"}}', t)).toBe('2026-03-04 15:06:07.089 UTC')
    expect(run('{{.Time.Format "Mon Jan 2 03:04PM"}}', t)).toBe('Wed Mar 4 03:06PM')
  })
  it('$ is the root inside range', () => {
    expect(run('{{range .Items}}{{$.Title}}{{end}}', data)).toBe('hello worldhello world')
  })
  const bad: [string, RegExp][] = [
    ['{{if .X}}', /without \{\{end\}\}/],
    ['{{end}}', /unexpected \{\{end\}\}/],
    ['{{.X', /unclosed action/],
    ['{{nope .X}}', /function "nope" not defined/],
    ['{{"abc}}', /unterminated quoted string/],
    ['{{template "x"}}', /not supported/],
    ['{{ | ToUpper}}', /missing command/],
    ['{{$undefined}}', /undefined variable/],
  ]
  for (const [src, re] of bad) {
    it(`error: ${src}`, () => {
      let err: unknown
      try {
        run(src, data)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(TemplateError)
      expect((err as TemplateError).code).toBe('WT_WATCHTOWER_TEMPLATE')
      expect((err as Error).message).toMatch(re)
    })
  }
})

describe('Go semantics (issue 12)', () => {
  const data = {
    Items: ['a', 'b'],
    M: new Map([
      ['two', 2],
      ['one', 1],
    ]),
    Empty: new Map(),
    Nil: null,
    F: new GoFloat(2),
    Secret: 'hunter2',
  }
  const fails = (src: string, re: RegExp) => () => expect(() => run(src, data)).toThrow(re)
  it(
    'index out of range is an error',
    fails('{{index .Items 5}}', /error calling index: index out of range: 5/),
  )
  it('a missing map key prints <no value>; index of it gives the zero value', () => {
    expect(run('{{.M.three}}|{{index .M "three"}}', data)).toBe('<no value>|0')
  })
  it('len of nil is an error', fails('{{len .Nil}}', /error calling len: len of nil/))
  it('{{nil}} is an error', fails('{{nil}}', /nil is not a command/))
  it(
    'comparing values of different kinds is an error',
    fails('{{eq 1 "1"}}', /incompatible types for comparison/),
  )
  it('an int and a float are different kinds', fails('{{eq 2 .F}}', /incompatible types for comparison/))
  it('maps print as map[k:v] with sorted keys, slices as [a b], nil as <nil>', () => {
    expect(run('{{.M}} {{.Items}} {{.Nil}} {{print .Missing}} {{.Missing}}', data)).toBe(
      'map[one:1 two:2] [a b] <nil> <nil> <no value>',
    )
  })
  it('truthiness: empty map, slice and string and zero numbers are false', () => {
    expect(
      run('{{if .Empty}}x{{else}}empty{{end}} {{if 0}}x{{else}}0{{end}} {{if 0.0}}x{{else}}0.0{{end}}', data),
    ).toBe('empty 0 0.0')
  })
  it('range $i = ... assigns the outer variable', () => {
    expect(run('{{$i := 0}}{{range $i = .Items}}{{end}}{{$i}}', data)).toBe('b')
    expect(run('{{$k := 0}}{{$v := 0}}{{range $k, $v = .Items}}{{end}}{{$k}}{{$v}}', data)).toBe('1b')
  })
  it("watchtower's functions: Title is cases.Title, the others take strings", () => {
    expect(run(`{{"hELLO wORLD, it's 1st" | Title}} {{ToUpper "a"}}`, data)).toBe("Hello World, It's 1st A")
    expect(() => run('{{ToUpper 1}}', data)).toThrow(/wrong type for value; expected string; got int/)
  })
  it('number literals as Go reads them', () => {
    expect(run("{{print 0x1F 0377 0o17 0b101 'x' 1e3 1_000 1.5 .F}}", data)).toBe(
      '31 255 15 5 120 1000 1000 1.5 2',
    )
    expect(run('{{printf "%v %T %T" 1e6 1e3 0x1F}}', data)).toBe('1e+06 float64 int')
  })
  const refused: [string, RegExp][] = [
    ['{{define "x"}}a{{end}}', /template: notification:1: `define` is not supported/],
    ['{{template "x"}}', /`template` is not supported/],
    ['{{block "x" .}}a{{end}}', /`block` is not supported/],
    ['{{1+2i}}', /complex number 1\+2i is not supported/],
    ['{{print 9007199254740993}}', /integer 9007199254740993 is too large/],
    ['{{range .}}{{else}}{{break}}{{end}}', /\{\{break\}\} outside \{\{range\}\}/],
    ['{{.X | 3}}', /non executable command in pipeline stage 2/],
  ]
  for (const [src, re] of refused)
    it(`refused at parse time: ${src}`, () => expect(() => compileTemplate(src)).toThrow(re))
  it('errors name the position and never a data value', () => {
    expect(() => run('line\n  {{range .Secret}}{{end}}', data)).toThrow(
      /^template: notification:2:10: executing "notification" at <\{\{range \.Secret\}\}\{\{e\.\.\.>: range can't iterate over a value of type string$/,
    )
    expect(() => run('{{range .Secret}}{{end}}', data)).not.toThrow(/hunter2/)
  })
  it('nesting is bounded at parse time', () => {
    expect(() => compileTemplate(`{{${'('.repeat(1001)}1${')'.repeat(1001)}}}`)).toThrow(
      /max expression depth exceeded/,
    )
    expect(() => compileTemplate(`${'{{if 1}}'.repeat(1001)}x${'{{end}}'.repeat(1001)}`)).toThrow(
      /\{\{if\}\} nested more than 1000 deep/,
    )
    expect(compileTemplate(`${'{{if 1}}'.repeat(1000)}x${'{{end}}'.repeat(1000)}`).execute({})).toBe('x')
    expect(compileTemplate(`{{${'('.repeat(1000)}1${')'.repeat(1000)}}}`).execute({})).toBe('1')
  })
  it('output and loops are bounded', () => {
    expect(() => run('{{range 200000}}x{{end}}', data)).toThrow(/more than 100000 iterations/)
    expect(() => compileTemplate('{{range $i := 5000}}{{range 100}}xxxxx{{end}}{{end}}').execute({})).toThrow(
      /output is larger than 1048576 bytes|iterations/,
    )
  })
})
