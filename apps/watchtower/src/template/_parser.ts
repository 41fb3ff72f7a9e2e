// Parser for the Go text/template subset: text, actions, pipelines,
// if / else if / else, range (with $i, $e :=), with, variables, comments.

import { lex, type Token } from './_lexer.ts'
import { TemplateError } from './errors.ts'

export type Arg =
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'ident'; name: string }
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'pipe'; pipe: Pipe; path: string[] }

export interface Pipe {
  decl: string[]
  assign: boolean
  cmds: Arg[][]
}

export type Node = { k: 'text'; v: string } | { k: 'action'; pipe: Pipe } | ControlNode

export interface ControlNode {
  k: 'if' | 'range' | 'with'
  pipe: Pipe
  body: Node[]
  else?: Node[]
}

class Parser {
  private pos = 0
  constructor(private readonly toks: Token[]) {}

  private peek(o = 0): Token | undefined {
    return this.toks[this.pos + o]
  }
  private next(): Token {
    const t = this.toks[this.pos++]
    if (!t) throw new TemplateError('unexpected end of template')
    return t
  }

  parseTop(): Node[] {
    const { nodes, end } = this.parseList()
    if (end !== 'eof') throw new TemplateError(`unexpected {{${end}}}`)
    return nodes
  }

  /** Parses until {{end}}, {{else ...}} or EOF; the terminator is consumed except for else. */
  parseList(): { nodes: Node[]; end: 'eof' | 'end' | 'else' } {
    const nodes: Node[] = []
    for (;;) {
      const t = this.peek()
      if (!t) return { nodes, end: 'eof' }
      if (t.t === 'text') {
        this.pos++
        nodes.push({ k: 'text', v: t.v })
        continue
      }
      if (t.t !== 'open') throw new TemplateError('unexpected token')
      const kw = this.peek(1)
      if (kw?.t === 'ident' && kw.v === 'end') {
        this.pos += 2
        this.expectClose()
        return { nodes, end: 'end' }
      }
      if (kw?.t === 'ident' && kw.v === 'else') {
        this.pos += 2
        return { nodes, end: 'else' }
      }
      this.pos++
      if (kw?.t === 'ident' && (kw.v === 'if' || kw.v === 'range' || kw.v === 'with')) {
        this.pos++
        nodes.push(this.parseControl(kw.v))
        continue
      }
      if (kw?.t === 'ident' && ['define', 'template', 'block', 'break', 'continue'].includes(kw.v)) {
        throw new TemplateError(`{{${kw.v}}} is not supported`)
      }
      nodes.push({ k: 'action', pipe: this.parsePipe() })
    }
  }

  private parseControl(kind: 'if' | 'range' | 'with'): Node {
    const pipe = this.parsePipe()
    const body = this.parseList()
    if (body.end === 'eof') throw new TemplateError(`unexpected EOF: {{${kind}}} without {{end}}`)
    const node: Node = { k: kind, pipe, body: body.nodes }
    if (body.end === 'else') {
      const t = this.peek()
      if (t?.t === 'ident' && (t.v === 'if' || t.v === 'with')) {
        // {{else if ...}} / {{else with ...}}: a nested control ending at the shared {{end}}
        this.pos++
        node.else = [this.parseControl(t.v)]
      } else {
        this.expectClose()
        const rest = this.parseList()
        if (rest.end !== 'end') throw new TemplateError(`expected {{end}} after {{else}} in {{${kind}}}`)
        node.else = rest.nodes
      }
    }
    return node
  }

  private expectClose(): void {
    const t = this.next()
    if (t.t !== 'close') throw new TemplateError('expected }}')
  }

  /** Parses a pipeline up to the closing }} (consumed). */
  private parsePipe(inParens = false): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [] }
    // declarations: $x := / $i, $e := / $x =
    const save = this.pos
    const vars: string[] = []
    while (this.peek()?.t === 'var') {
      const v = this.next() as Extract<Token, { t: 'var' }>
      vars.push(v.v)
      const p = this.peek()
      if (p?.t === 'punct' && p.v === ',') {
        this.pos++
        continue
      }
      break
    }
    const op = this.peek()
    if (vars.length > 0 && op?.t === 'punct' && (op.v === ':=' || op.v === '=')) {
      this.pos++
      pipe.decl = vars
      pipe.assign = op.v === '='
    } else this.pos = save
    let cmd: Arg[] = []
    for (;;) {
      const t = this.next()
      if (t.t === 'close' && !inParens) break
      if (t.t === 'punct' && t.v === ')' && inParens) break
      if (t.t === 'punct' && t.v === '|') {
        if (cmd.length === 0) throw new TemplateError('missing command before |')
        pipe.cmds.push(cmd)
        cmd = []
        continue
      }
      cmd.push(this.arg(t))
    }
    if (cmd.length === 0)
      throw new TemplateError(pipe.cmds.length ? 'missing command after |' : 'missing value for command')
    pipe.cmds.push(cmd)
    return pipe
  }

  private arg(t: Token): Arg {
    switch (t.t) {
      case 'field':
        return { k: 'field', path: t.v }
      case 'var':
        return { k: 'var', name: t.v, path: t.fields }
      case 'string':
        return { k: 'lit', v: t.v }
      case 'number':
        return { k: 'lit', v: t.v }
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' }
        if (t.v === 'nil') return { k: 'lit', v: null }
        return { k: 'ident', name: t.v }
      case 'punct':
        if (t.v === '(') {
          const pipe = this.parsePipe(true)
          const chain = this.peek()
          if (chain?.t === 'chainfield') {
            this.pos++
            return { k: 'pipe', pipe, path: chain.v }
          }
          return { k: 'pipe', pipe, path: [] }
        }
        throw new TemplateError(`unexpected "${t.v}" in command`)
      default:
        throw new TemplateError('unexpected token in command')
    }
  }
}

export function parseTemplate(src: string): Node[] {
  return new Parser(lex(src)).parseTop()
}
