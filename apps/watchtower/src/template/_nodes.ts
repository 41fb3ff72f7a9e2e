// Parse tree of the Go text/template subset (Go's text/template/parse/node.go) and its
// String() form, which Go's parse tests compare.

export type Node =
  | { k: 'list'; pos: number; nodes: Node[] }
  | { k: 'text'; pos: number; text: string }
  | { k: 'comment'; pos: number; text: string }
  | { k: 'action'; pos: number; line: number; pipe: PipeNode }
  | ControlNode
  | { k: 'break' | 'continue'; pos: number; line: number }
  | { k: 'end' | 'else'; pos: number; line: number }

export interface ControlNode {
  k: 'if' | 'range' | 'with'
  pos: number
  line: number
  pipe: PipeNode
  list: ListNode
  elseList?: ListNode
}

export type ListNode = Extract<Node, { k: 'list' }>

export interface PipeNode {
  k: 'pipe'
  pos: number
  line: number
  isAssign: boolean
  decl: VariableNode[]
  cmds: CommandNode[]
}

export interface CommandNode {
  k: 'command'
  pos: number
  args: Arg[]
}

export interface VariableNode {
  k: 'variable'
  pos: number
  ident: string[] // ["$x", "Field", ...]
}

/** A number literal: Go's NumberNode with the flags of the kinds its text can be. */
export interface NumberNode {
  k: 'number'
  pos: number
  text: string
  isInt: boolean
  isUint: boolean
  isFloat: boolean
  isComplex: boolean
  int?: bigint
  uint?: bigint
  float?: number
}

export type Arg =
  | { k: 'field'; pos: number; ident: string[] } // .A.B
  | VariableNode
  | { k: 'chain'; pos: number; node: Arg; fields: string[] } // (x).A.B
  | { k: 'identifier'; pos: number; name: string }
  | { k: 'dot'; pos: number }
  | { k: 'nil'; pos: number }
  | { k: 'bool'; pos: number; value: boolean }
  | { k: 'string'; pos: number; quoted: string; text: string }
  | NumberNode
  | PipeNode

/** Go's strconv.Quote for the text nodes of a tree's String() in Go's tests (textFormat "%q"). */
export function goQuote(s: string): string {
  let out = '"'
  for (const c of s) {
    const cp = c.codePointAt(0)!
    if (c === '"' || c === '\\') out += `\\${c}`
    else if (c === '\n') out += '\\n'
    else if (c === '\t') out += '\\t'
    else if (c === '\r') out += '\\r'
    else if (c === '\x07') out += '\\a'
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (c === '\v') out += '\\v'
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c)) out += c
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`
    else out += `\\U${cp.toString(16).padStart(8, '0')}`
  }
  return `${out}"`
}

function pipeString(p: PipeNode): string {
  let s = ''
  if (p.decl.length > 0) s = `${p.decl.map(nodeString).join(', ')}${p.isAssign ? ' = ' : ' := '}`
  return s + p.cmds.map(nodeString).join(' | ')
}

/** Node.String() as in Go (text nodes quoted, as Go's parse tests set it). */
export function nodeString(n: Node | Arg | CommandNode): string {
  switch (n.k) {
    case 'list':
      return n.nodes.map(nodeString).join('')
    case 'text':
      return goQuote(n.text)
    case 'comment':
      return `{{${n.text}}}`
    case 'action':
      return `{{${pipeString(n.pipe)}}}`
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.k} ${pipeString(n.pipe)}}}${nodeString(n.list)}${
        n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''
      }{{end}}`
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return `{{${n.k}}}`
    case 'command':
      return n.args.map((a) => (a.k === 'pipe' ? `(${pipeString(a)})` : nodeString(a))).join(' ')
    case 'pipe':
      return pipeString(n)
    case 'field':
      return `.${n.ident.join('.')}`
    case 'variable':
      return n.ident.join('.')
    case 'chain':
      return `${n.node.k === 'pipe' ? `(${pipeString(n.node)})` : nodeString(n.node)}.${n.fields.join('.')}`
    case 'identifier':
      return n.name
    case 'dot':
      return '.'
    case 'nil':
      return 'nil'
    case 'bool':
      return String(n.value)
    case 'string':
      return n.quoted
    case 'number':
      return n.text
  }
}
