// Parser for the Go text/template subset: a port of Go's text/template/parse/parse.go
// (same tree, same checks, same error texts). {{define}}, {{template}} and {{block}}
// are refused here, at parse time, naming the construct.

import type { ControlNode, ListNode, Node } from './_nodes.ts'
import { nodeString } from './_nodes.ts'
import { ExprParser, MAX_STACK_DEPTH, type ParseOptions } from './_parse_expr.ts'

export type { ParseOptions }

class Parser extends ExprParser {
  private controlDepth = 0
  parse(): ListNode {
    const root: ListNode = { k: 'list', pos: this.peek().pos, nodes: [] }
    while (this.peek().typ !== 'EOF') {
      const n = this.textOrAction()
      if (n.k === 'end' || n.k === 'else') this.errorf(`unexpected ${nodeString(n)}`)
      root.nodes.push(n)
    }
    return root
  }

  private itemList(context: string): { list: ListNode; next: Node } {
    const list: ListNode = { k: 'list', pos: this.peekNonSpace().pos, nodes: [] }
    while (this.peekNonSpace().typ !== 'EOF') {
      const n = this.textOrAction()
      if (n.k === 'end' || n.k === 'else') return { list, next: n }
      list.nodes.push(n)
    }
    this.errorf(`unexpected EOF: {{${context}}} without {{end}}`)
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace()
    if (t.typ === 'text') return { k: 'text', pos: t.pos, text: t.val }
    if (t.typ === 'comment') return { k: 'comment', pos: t.pos, text: t.val }
    if (t.typ !== 'left delim') this.unexpected(t, 'input')
    this.actionLine = t.line
    try {
      return this.action()
    } finally {
      this.actionLine = 0
    }
  }

  private action(): Node {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case 'block':
      case 'define':
      case 'template':
        this.errorf(`\`${t.typ}\` is not supported (a notification template is a single template)`, t.line)
        break
      case 'break':
      case 'continue': {
        const close = this.nextNonSpace()
        if (close.typ !== 'right delim') this.unexpected(close, `{{${t.typ}}}`)
        if (this.rangeDepth === 0) this.errorf(`{{${t.typ}}} outside {{range}}`, t.line)
        return { k: t.typ, pos: t.pos, line: t.line }
      }
      case 'else': {
        const p = this.peekNonSpace()
        if (p.typ === 'if' || p.typ === 'with') return { k: 'else', pos: p.pos, line: p.line }
        const close = this.expect('right delim', 'else')
        return { k: 'else', pos: close.pos, line: close.line }
      }
      case 'end':
        return { k: 'end', pos: this.expect('right delim', 'end').pos, line: t.line }
      case 'if':
      case 'range':
      case 'with':
        return this.control(t.typ)
    }
    this.backup()
    const p = this.peek()
    return { k: 'action', pos: p.pos, line: p.line, pipe: this.pipeline('command', 'right delim') }
  }

  private control(context: 'if' | 'range' | 'with'): ControlNode {
    const nvars = this.vars.length
    if (++this.controlDepth > MAX_STACK_DEPTH)
      this.errorf(`{{${context}}} nested more than ${MAX_STACK_DEPTH} deep`)
    try {
      const pipe = this.pipeline(context, 'right delim')
      if (context === 'range') this.rangeDepth++
      const { list, next } = this.itemList(context)
      if (context === 'range') this.rangeDepth--
      const node: ControlNode = { k: context, pos: pipe.pos, line: pipe.line, pipe, list }
      if (next.k === 'else') {
        if (context !== 'range' && this.peek().typ === context) {
          // {{else if ...}} / {{else with ...}}: a nested control whose {{end}} closes both.
          this.next()
          node.elseList = { k: 'list', pos: next.pos, nodes: [this.control(context)] }
        } else {
          const rest = this.itemList(context)
          if (rest.next.k !== 'end') this.errorf(`expected end; found ${nodeString(rest.next)}`)
          node.elseList = rest.list
        }
      }
      return node
    } finally {
      this.vars.length = nvars
      this.controlDepth--
    }
  }
}

/** Parses `src` into its tree; throws TemplateError ("template: NAME:LINE: ...") as Go does. */
export function parseTemplate(src: string, o: ParseOptions): ListNode {
  return new Parser(src, o).parse()
}
