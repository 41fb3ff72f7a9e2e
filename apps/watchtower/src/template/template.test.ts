import { describe, expect, it } from 'vitest'
import { compileTemplate, TemplateError } from './index.ts'

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
