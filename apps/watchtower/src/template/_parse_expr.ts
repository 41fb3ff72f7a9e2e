// The token stream and the expression half of Go's text/template/parse/parse.go:
// pipelines, declarations, commands, operands and terms, with the same checks and errors.
import { type Item, type ItemType, lex } from './_lexer.ts'
import { parseNumber, unquoteString } from './_literals.ts'
import type { Arg, CommandNode, PipeNode, VariableNode } from './_nodes.ts'
import { nodeString } from './_nodes.ts'
import { TemplateError } from './errors.ts'

/** Go allows 10000 nested parentheses; JS's call stack holds about 1000 (see README). */
export const MAX_STACK_DEPTH = 1000

function itemString(i: Item): string {
  if (i.typ === 'EOF') return 'EOF'
  if (i.typ === 'error') return i.val
  if (
    [
      'block',
      'break',
      'continue',
      'define',
      'else',
      'end',
      'if',
      'range',
      'nil',
      'template',
      'with',
    ].includes(i.typ)
  )
    return `<${i.val}>`
  return i.val.length > 10 ? `${JSON.stringify(i.val.slice(0, 10))}...` : JSON.stringify(i.val)
}

export interface ParseOptions {
  name: string
  /** Names of the functions templates may call (parse-time check, as Go). */
  funcs: ReadonlySet<string>
  /** Keep comment nodes (Go's ParseComments mode). */
  comments?: boolean
  maxStackDepth?: number
}

export class ExprParser {
  protected readonly items: Item[]
  protected i = 0
  protected vars: string[] = ['$']
  protected actionLine = 0
  protected rangeDepth = 0
  protected stackDepth = 0
  constructor(
    src: string,
    protected readonly o: ParseOptions,
  ) {
    this.items = lex(src, o.comments ?? false)
  }

  errorf(msg: string, line = this.items[Math.max(0, this.i - 1)]?.line ?? 1): never {
    throw new TemplateError(`${this.o.name}:${line}: ${msg}`)
  }
  protected next(): Item {
    return this.items[Math.min(this.i++, this.items.length - 1)]!
  }
  protected backup(n = 1): void {
    this.i -= n
  }
  protected peek(): Item {
    return this.items[Math.min(this.i, this.items.length - 1)]!
  }
  protected nextNonSpace(): Item {
    let t = this.next()
    while (t.typ === 'space') t = this.next()
    return t
  }
  protected peekNonSpace(): Item {
    const t = this.nextNonSpace()
    this.backup()
    return t
  }
  protected expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace()
    if (t.typ !== typ) this.unexpected(t, context)
    return t
  }
  protected unexpected(t: Item, context: string): never {
    if (t.typ === 'error') {
      let extra = ''
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.o.name}:${this.actionLine}`
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length)
      }
      this.errorf(`${t.val}${extra}`, t.line)
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`, t.line)
  }

  protected pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace()
    const pipe: PipeNode = {
      k: 'pipe',
      pos: first.pos,
      line: first.line,
      isAssign: false,
      decl: [],
      cmds: [],
    }
    for (;;) {
      const v = this.peekNonSpace()
      if (v.typ !== 'variable') break
      const at = this.i
      this.nextNonSpace()
      const next = this.peekNonSpace()
      if (next.typ === 'assign' || next.typ === ':=') {
        pipe.isAssign = next.typ === 'assign'
        this.nextNonSpace()
        pipe.decl.push({ k: 'variable', pos: v.pos, ident: [v.val] })
        this.vars.push(v.val)
      } else if (next.typ === 'char' && next.val === ',') {
        this.nextNonSpace()
        pipe.decl.push({ k: 'variable', pos: v.pos, ident: [v.val] })
        this.vars.push(v.val)
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ
          if (p === 'variable' || p === 'right delim' || p === ')') continue
          this.errorf('range can only initialize variables')
        }
        this.errorf(`too many declarations in ${context}`)
      } else {
        this.i = at // not a declaration: the variable is an operand
      }
      break
    }
    for (;;) {
      const t = this.nextNonSpace()
      if (t.typ === end) {
        this.checkPipeline(pipe, context)
        return pipe
      }
      const operandStart: ItemType[] = [
        'bool',
        'charconst',
        'complex',
        '.',
        'field',
        'identifier',
        'number',
        'nil',
      ]
      if (operandStart.includes(t.typ) || ['raw string', 'string', 'variable', '('].includes(t.typ)) {
        this.backup()
        pipe.cmds.push(this.command())
      } else if (t.typ === 'pipe') this.errorf(`unexpected "|" in ${context}: missing command before "|"`)
      else this.unexpected(t, context)
    }
  }

  protected checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`)
    pipe.cmds.slice(1).forEach((c, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.k))
        this.errorf(`non executable command in pipeline stage ${i + 2}`)
    })
  }

  protected command(): CommandNode {
    const cmd: CommandNode = { k: 'command', pos: this.peekNonSpace().pos, args: [] }
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand) cmd.args.push(operand)
      const t = this.next()
      if (t.typ === 'space') continue
      if (t.typ === 'right delim' || t.typ === ')') this.backup()
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand')
      break
    }
    if (cmd.args.length === 0) this.errorf('empty command')
    return cmd
  }

  protected operand(): Arg | undefined {
    const node = this.term()
    if (!node || this.peek().typ !== 'field') return node
    const fields: string[] = []
    const pos = this.peek().pos
    while (this.peek().typ === 'field') fields.push(...this.next().val.slice(1).split('.'))
    switch (node.k) {
      case 'field':
        return { k: 'field', pos: node.pos, ident: [...node.ident, ...fields] }
      case 'variable':
        return { k: 'variable', pos: node.pos, ident: [...node.ident, ...fields] }
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`)
        break
    }
    return { k: 'chain', pos, node, fields }
  }

  protected term(): Arg | undefined {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case 'identifier':
        if (!this.o.funcs.has(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`)
        return { k: 'identifier', pos: t.pos, name: t.val }
      case '.':
        return { k: 'dot', pos: t.pos }
      case 'nil':
        return { k: 'nil', pos: t.pos }
      case 'variable':
        return this.useVar(t)
      case 'field':
        return { k: 'field', pos: t.pos, ident: t.val.slice(1).split('.') }
      case 'bool':
        return { k: 'bool', pos: t.pos, value: t.val === 'true' }
      case 'charconst':
      case 'complex':
      case 'number':
        try {
          const n = parseNumber(t.pos, t.val, t.typ)
          if (n.isComplex) this.errorf(`complex number ${t.val} is not supported`)
          const big = BigInt(Number.MAX_SAFE_INTEGER)
          if (
            n.isInt &&
            !/[.eEpP]/.test(t.val.replace(/^[+-]?0[xX][^pP]*$/, '')) &&
            (n.int! > big || n.int! < -big)
          )
            this.errorf(`integer ${t.val} is too large: numbers are exact only up to 2^53 here`)
          return n
        } catch (e) {
          if (e instanceof TemplateError) throw e
          return this.errorf((e as Error).message)
        }
      case '(': {
        if (this.stackDepth >= (this.o.maxStackDepth ?? MAX_STACK_DEPTH))
          this.errorf('max expression depth exceeded')
        this.stackDepth++
        try {
          return this.pipeline('parenthesized pipeline', ')')
        } finally {
          this.stackDepth--
        }
      }
      case 'string':
      case 'raw string':
        try {
          return { k: 'string', pos: t.pos, quoted: t.val, text: unquoteString(t.val) }
        } catch (e) {
          return this.errorf((e as Error).message)
        }
    }
    this.backup()
    return undefined
  }

  protected useVar(t: Item): VariableNode {
    if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${JSON.stringify(t.val)}`)
    return { k: 'variable', pos: t.pos, ident: [t.val] }
  }
}
