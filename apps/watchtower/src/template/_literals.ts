// Literal syntax as Go reads it: numbers (parse.newNumber with strconv's base prefixes and
// underscores), character constants and quoted strings (strconv.Unquote / UnquoteChar).
import type { NumberNode } from './_nodes.ts'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** Go's strconv underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(text: string): boolean {
  let s = text.replace(/^[+-]/, '')
  let saw = '^'
  let hex = false
  if (/^0[bBoOxX]/.test(s)) {
    hex = /^0[xX]/.test(s)
    saw = '0'
    s = s.slice(2)
  }
  for (const c of s) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = '0'
    else if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
    } else {
      if (saw === '_') return false
      saw = '!'
    }
  }
  return saw !== '_'
}

/** strconv.ParseInt/ParseUint with base 0; undefined when the syntax is not an integer. */
function parseGoInt(text: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX]|0[oO]|0[bB]|0(?=[0-9_])|)([0-9a-fA-F_]*)$/.exec(text)
  if (!m || (!signed && m[1] !== '')) return undefined
  const [, sign, prefix, body] = m
  const base = /[xX]/.test(prefix!) ? 16 : /[bB]/.test(prefix!) ? 2 : prefix ? 8 : 10
  if (text.includes('_') && !underscoreOK(text)) return undefined
  const digits = body!.replace(/_/g, '')
  if (digits === '' && prefix !== '0') return undefined
  const valid =
    base === 16 ? /^[0-9a-fA-F]*$/ : base === 10 ? /^[0-9]+$/ : base === 8 ? /^[0-7]*$/ : /^[01]*$/
  if (!valid.test(digits)) return undefined
  let v = 0n
  for (const d of digits) v = v * BigInt(base) + BigInt(Number.parseInt(d, 16))
  if (sign === '-') v = -v
  if (signed ? v < INT64_MIN || v > INT64_MAX : v > UINT64_MAX) return undefined
  return v
}

/** strconv.ParseFloat: decimal or hexadecimal (with a p exponent) floating point syntax. */
function parseGoFloat(text: string): number | undefined {
  if (text.includes('_') && !underscoreOK(text)) return undefined
  const s = text.replace(/_/g, '')
  if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return Number(s)
  const h = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/.exec(s)
  if (!h || h[2]! + h[3]! === '') return undefined
  const mant = Number.parseInt(`${h[2]}${h[3]}` || '0', 16) / 16 ** h[3]!.length
  const v = mant * 2 ** Number(h[4])
  return h[1] === '-' ? -v : v
}

/** Reads one (possibly escaped) character of a Go quoted literal at s[i]. */
function unquoteChar(s: string, i: number, quote: string): { c: string; next: number } {
  const c = String.fromCodePoint(s.codePointAt(i)!)
  if (c !== '\\') {
    if (c === quote || c === '\n') throw new Error('invalid syntax')
    return { c, next: i + c.length }
  }
  const e = s[i + 1]
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
  }
  if (e !== undefined && simple[e]) return { c: simple[e]!, next: i + 2 }
  if (e === quote) return { c: e, next: i + 2 }
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
  if (hexLen) {
    const h = s.slice(i + 2, i + 2 + hexLen)
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) throw new Error('invalid syntax')
    const cp = Number.parseInt(h, 16)
    if (e === 'x') return { c: String.fromCharCode(cp), next: i + 4 }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error('invalid syntax')
    return { c: String.fromCodePoint(cp), next: i + 2 + hexLen }
  }
  const o = s.slice(i + 1, i + 4)
  if (/^[0-7]{3}$/.test(o) && Number.parseInt(o, 8) < 256)
    return { c: String.fromCharCode(Number.parseInt(o, 8)), next: i + 4 }
  throw new Error('invalid syntax')
}

/** strconv.Unquote for "..." and `...` string literals. */
export function unquoteString(token: string): string {
  if (token.startsWith('`')) return token.slice(1, -1).replace(/\r/g, '')
  const body = token.slice(1, -1)
  let out = ''
  for (let i = 0; i < body.length; ) {
    const r = unquoteChar(body, i, '"')
    out += r.c
    i = r.next
  }
  return out
}

/** Go's parse.Tree.newNumber: which kinds the literal can be, or an error message. */
export function parseNumber(pos: number, text: string, typ: 'number' | 'charconst' | 'complex'): NumberNode {
  const n: NumberNode = {
    k: 'number',
    pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
  }
  if (typ === 'charconst') {
    let r: { c: string; next: number }
    try {
      r = unquoteChar(text, 1, "'")
    } catch {
      throw new Error(`malformed character constant: ${text}`)
    }
    if (text.slice(r.next) !== "'") throw new Error(`malformed character constant: ${text}`)
    const cp = BigInt(r.c.codePointAt(0)!)
    return { ...n, isInt: true, isUint: true, isFloat: true, int: cp, uint: cp, float: Number(cp) }
  }
  if (typ === 'complex' || (text.endsWith('i') && parseGoFloat(text.slice(0, -1)) !== undefined)) {
    // Complex constants have no JS value: the executor refuses them (see README).
    return { ...n, isComplex: true }
  }
  const u = parseGoInt(text, false)
  if (u !== undefined) Object.assign(n, { isUint: true, uint: u })
  const i = parseGoInt(text, true)
  if (i !== undefined) {
    Object.assign(n, { isInt: true, int: i })
    if (i === 0n) Object.assign(n, { isUint: true, uint: 0n })
  }
  if (n.isInt) Object.assign(n, { isFloat: true, float: Number(n.int) })
  else if (n.isUint) Object.assign(n, { isFloat: true, float: Number(n.uint) })
  else {
    const f = parseGoFloat(text)
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${JSON.stringify(text)}`)
      Object.assign(n, { isFloat: true, float: f })
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63)
        Object.assign(n, { isInt: true, int: BigInt(f) })
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) Object.assign(n, { isUint: true, uint: BigInt(f) })
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`)
  return n
}
