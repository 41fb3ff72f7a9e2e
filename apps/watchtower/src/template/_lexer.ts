// Tokenizer for the Go text/template subset: a port of Go's text/template/parse/lex.go
// (same item kinds, values, positions, lines and error texts), default delimiters only.
import {
  goRuneName,
  hasLeftTrimMarker,
  hasRightTrimMarker,
  type Item,
  isAlphaNumeric,
  isSpace,
  LEFT,
  RIGHT,
  Scanner,
  TRIM_LEN,
} from './_scanner.ts'

export type { Item, ItemType } from './_scanner.ts'

class Lexer extends Scanner {
  run(): Item[] {
    for (;;) {
      const x = this.input.indexOf(LEFT, this.pos)
      if (x === -1) {
        this.pos = this.input.length
        if (this.pos > this.start) this.emit('text')
        this.emit('EOF')
        return this.items
      }
      if (x > this.pos) {
        this.pos = x
        let trim = 0
        if (hasLeftTrimMarker(this.input.slice(x + LEFT.length))) {
          const text = this.input.slice(this.start, x)
          trim = text.length - text.replace(/[ \t\r\n]+$/, '').length
        }
        this.pos -= trim
        if (this.pos > this.start) this.emit('text')
        this.pos += trim
        this.ignore()
      }
      if (!this.leftDelim()) return this.items
    }
  }

  private leftDelim(): boolean {
    this.pos += LEFT.length
    const after = hasLeftTrimMarker(this.input.slice(this.pos)) ? TRIM_LEN : 0
    if (this.input.startsWith('/*', this.pos + after)) {
      this.pos += after
      this.ignore()
      return this.comment()
    }
    this.emit('left delim')
    this.pos += after
    this.ignore()
    this.parenDepth = 0
    return this.insideAction()
  }

  private comment(): boolean {
    const x = this.input.indexOf('*/', this.pos + 2)
    if (x === -1) return this.error('unclosed comment')
    this.pos = x + 2
    const { delim, trim } = this.atRightDelim()
    if (!delim) return this.error('comment ends before closing delimiter')
    if (this.emitComment) this.emit('comment')
    if (trim) this.pos += TRIM_LEN
    this.pos += RIGHT.length
    if (trim) this.pos += this.leftTrimLength()
    this.ignore()
    return true
  }

  private leftTrimLength(): number {
    const rest = this.input.slice(this.pos)
    return rest.length - rest.replace(/^[ \t\r\n]+/, '').length
  }

  private rightDelim(trim: boolean): boolean {
    if (trim) {
      this.pos += TRIM_LEN
      this.ignore()
    }
    this.pos += RIGHT.length
    this.emit('right delim')
    if (trim) {
      this.pos += this.leftTrimLength()
      this.ignore()
    }
    return true
  }

  /** Lexes one action up to and including its right delimiter; false after an error item. */
  private insideAction(): boolean {
    for (;;) {
      const { delim, trim } = this.atRightDelim()
      if (delim) {
        if (this.parenDepth === 0) return this.rightDelim(trim)
        return this.error('unclosed left paren')
      }
      const c = this.next()
      if (c === undefined) return this.error('unclosed action')
      let ok = true
      if (isSpace(c)) ok = this.space(c)
      else if (c === '=') this.emit('assign')
      else if (c === ':') {
        if (this.next() !== '=') return this.error('expected :=')
        this.emit(':=')
      } else if (c === '|') this.emit('pipe')
      else if (c === '"') ok = this.quote()
      else if (c === '`') ok = this.rawQuote()
      else if (c === '$') ok = this.variable()
      else if (c === "'") ok = this.char()
      else if (c === '.' && !/[0-9]/.test(this.input[this.pos] ?? '')) ok = this.fieldOrVariable('field')
      else if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        this.backup(c)
        ok = this.number()
      } else if (isAlphaNumeric(c)) {
        this.backup(c)
        ok = this.identifier()
      } else if (c === '(') {
        this.parenDepth++
        this.emit('(')
      } else if (c === ')') {
        this.parenDepth--
        if (this.parenDepth < 0) return this.error('unexpected right paren')
        this.emit(')')
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) this.emit('char')
      else return this.error(`unrecognized character in action: ${goRuneName(c)}`)
      if (!ok) return false
    }
  }

  private space(first: string): boolean {
    let n = 1
    let last = first
    while (isSpace(this.peek())) {
      last = this.next()!
      n++
    }
    // A trim-marked right delimiter (" -}}") after the run: leave its space for it.
    if (
      hasRightTrimMarker(this.input.slice(this.pos - 1)) &&
      this.input.startsWith(RIGHT, this.pos - 1 + TRIM_LEN)
    ) {
      this.backup(last)
      if (n === 1) return this.rightDelim(true)
    }
    this.emit('space')
    return true
  }
}

/** All items of `input`, ending with an EOF or an error item. */
export function lex(input: string, emitComment = false): Item[] {
  return new Lexer(input, emitComment).run()
}
