// The lexer's cursor and its scanners for words, variables, quotes and numbers
// (Go's text/template/parse/lex.go: same item kinds, values, positions and errors).

type Keyword = '.' | 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range'
type Operand = 'bool' | 'charconst' | 'complex' | 'field' | 'identifier' | 'number' | 'raw string' | 'string'
type Punct =
  | 'assign'
  | ':='
  | '('
  | ')'
  | 'pipe'
  | 'char'
  | 'space'
  | 'left delim'
  | 'right delim'
  | 'variable'
/** Go's item kinds, named as Go's lex_test prints them. */
export type ItemType = Keyword | 'template' | 'with' | Operand | Punct | 'error' | 'comment' | 'EOF' | 'text'

export interface Item {
  typ: ItemType
  pos: number
  val: string
  line: number
}

export const KEYWORDS = new Set(
  '. block break continue define else end if range nil template with'.split(' '),
)
export const LEFT = '{{'
export const RIGHT = '}}'
export const TRIM_LEN = 2 // "- " or " -"

export const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n'
export const isAlphaNumeric = (c: string | undefined) => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c)
export const hasLeftTrimMarker = (s: string) => s.length >= 2 && s[0] === '-' && isSpace(s[1])
export const hasRightTrimMarker = (s: string) => s.length >= 2 && isSpace(s[0]) && s[1] === '-'

/** Go's %#U: U+0023 '#' (the character only when printable). */
export function goRuneName(c: string): string {
  const cp = c.codePointAt(0) ?? 0
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) || c === ' ' ? `${u} '${c}'` : u
}

export class Scanner {
  items: Item[] = []
  start = 0
  pos = 0
  parenDepth = 0
  private readonly nl: number[] = []
  constructor(
    readonly input: string,
    readonly emitComment: boolean,
  ) {
    for (let i = input.indexOf('\n'); i !== -1; i = input.indexOf('\n', i + 1)) this.nl.push(i)
  }
  lineAt(pos: number): number {
    let lo = 0
    let hi = this.nl.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.nl[mid]! < pos) lo = mid + 1
      else hi = mid
    }
    return lo + 1
  }
  next(): string | undefined {
    if (this.pos >= this.input.length) {
      this.pos++ // like Go: a backup after EOF lands back on the end
      return undefined
    }
    const c = String.fromCodePoint(this.input.codePointAt(this.pos)!)
    this.pos += c.length
    return c
  }
  backup(c: string | undefined): void {
    this.pos -= c === undefined ? 1 : c.length
  }
  peek(): string | undefined {
    const c = this.next()
    this.backup(c)
    return c
  }
  accept(valid: string): boolean {
    const c = this.next()
    if (c !== undefined && valid.includes(c)) return true
    this.backup(c)
    return false
  }
  acceptRun(valid: string): void {
    for (;;) {
      const c = this.next()
      if (c === undefined || !valid.includes(c)) {
        this.backup(c)
        return
      }
    }
  }
  emit(typ: ItemType): void {
    this.items.push({
      typ,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.lineAt(this.start),
    })
    this.start = this.pos
  }
  ignore(): void {
    this.start = this.pos
  }
  error(msg: string): false {
    this.items.push({ typ: 'error', pos: this.start, val: msg, line: this.lineAt(this.start) })
    return false
  }
  atRightDelim(): { delim: boolean; trim: boolean } {
    const rest = this.input.slice(this.pos)
    if (hasRightTrimMarker(rest) && rest.startsWith(RIGHT, TRIM_LEN)) return { delim: true, trim: true }
    return { delim: rest.startsWith(RIGHT), trim: false }
  }
  atTerminator(): boolean {
    const c = this.peek()
    if (c === undefined || isSpace(c) || '.,|:)('.includes(c)) return true
    return this.input.startsWith(RIGHT, this.pos)
  }

  protected identifier(): boolean {
    let c: string | undefined
    do c = this.next()
    while (isAlphaNumeric(c))
    this.backup(c)
    const word = this.input.slice(this.start, this.pos)
    if (!this.atTerminator()) return this.error(`bad character ${goRuneName(c ?? '')}`)
    if (KEYWORDS.has(word) && word !== '.') this.emit(word as ItemType)
    else if (word === 'true' || word === 'false') this.emit('bool')
    else this.emit('identifier')
    return true
  }

  protected variable(): boolean {
    if (this.atTerminator()) {
      this.emit('variable')
      return true
    }
    return this.fieldOrVariable('variable')
  }

  protected fieldOrVariable(typ: 'field' | 'variable'): boolean {
    if (this.atTerminator()) {
      this.emit(typ === 'variable' ? 'variable' : '.')
      return true
    }
    let c: string | undefined
    do c = this.next()
    while (isAlphaNumeric(c))
    this.backup(c)
    if (!this.atTerminator()) return this.error(`bad character ${goRuneName(c ?? '')}`)
    this.emit(typ)
    return true
  }

  protected char(): boolean {
    for (;;) {
      let c = this.next()
      if (c === '\\') {
        c = this.next()
        if (c !== undefined && c !== '\n') continue
      }
      if (c === undefined || c === '\n') return this.error('unterminated character constant')
      if (c === "'") break
    }
    this.emit('charconst')
    return true
  }

  protected quote(): boolean {
    for (;;) {
      let c = this.next()
      if (c === '\\') {
        c = this.next()
        if (c !== undefined && c !== '\n') continue
      }
      if (c === undefined || c === '\n') return this.error('unterminated quoted string')
      if (c === '"') break
    }
    this.emit('string')
    return true
  }

  protected rawQuote(): boolean {
    const end = this.input.indexOf('`', this.pos)
    if (end === -1) return this.error('unterminated raw quoted string')
    this.pos = end + 1
    this.emit('raw string')
    return true
  }

  protected number(): boolean {
    const bad = () =>
      this.error(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`)
    if (!this.scanNumber()) return bad()
    const sign = this.peek()
    if (sign === '+' || sign === '-') {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') return bad()
      this.emit('complex')
      return true
    }
    this.emit('number')
    return true
  }

  protected scanNumber(): boolean {
    this.accept('+-')
    let digits = '0123456789_'
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_'
      else if (this.accept('oO')) digits = '01234567_'
      else if (this.accept('bB')) digits = '01_'
    }
    this.acceptRun(digits)
    if (this.accept('.')) this.acceptRun(digits)
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-')
      this.acceptRun('0123456789_')
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-')
      this.acceptRun('0123456789_')
    }
    this.accept('i')
    if (isAlphaNumeric(this.peek())) {
      this.next()
      return false
    }
    return true
  }
}
