// Tokenizer for the Go text/template subset: text, {{ actions }} with trim
// markers, comments, fields, variables, strings, numbers and punctuation.
import { TemplateError } from './errors.ts'

export type Token =
  | { t: 'text'; v: string }
  | { t: 'open' }
  | { t: 'close' }
  | { t: 'field'; v: string[] } // .A.B (empty = dot)
  | { t: 'var'; v: string; fields: string[] } // $x.A
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'punct'; v: '|' | '(' | ')' | ':=' | '=' | ',' }
  | { t: 'chainfield'; v: string[] } // .A after a ) — field access on a result

export function lex(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const open = src.indexOf('{{', i)
    if (open === -1) {
      out.push({ t: 'text', v: src.slice(i) })
      break
    }
    let text = src.slice(i, open)
    let p = open + 2
    const trimLeft = src[p] === '-' && /\s/.test(src[p + 1] ?? '')
    if (trimLeft) {
      text = text.replace(/\s+$/, '')
      p += 1
    }
    if (text) out.push({ t: 'text', v: text })
    // comment
    const rest = src.slice(p).replace(/^\s*/, '')
    if (rest.startsWith('/*')) {
      const end = src.indexOf('*/', p)
      if (end === -1) throw new TemplateError('unclosed comment')
      let q = end + 2
      q = src.slice(q).search(/\S/) + q
      let trimRight = false
      if (src.startsWith('-', q) && src.startsWith('}}', q + 1)) {
        trimRight = true
        q += 1
      }
      if (!src.startsWith('}}', q)) throw new TemplateError('comment ends before closing delimiter')
      i = q + 2
      if (trimRight) i = skipSpace(src, i)
      continue
    }
    out.push({ t: 'open' })
    i = lexAction(src, p, out)
  }
  return out
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i]!)) i++
  return i
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y
const FIELDS = /(\.[A-Za-z_][A-Za-z0-9_]*)+/y

function lexAction(src: string, start: number, out: Token[]): number {
  let i = start
  for (;;) {
    i = skipSpace(src, i)
    if (i >= src.length) throw new TemplateError('unclosed action')
    if (src.startsWith('-}}', i) && /\s/.test(src[i - 1] ?? '')) {
      out.push({ t: 'close' })
      return skipSpace(src, i + 3)
    }
    if (src.startsWith('}}', i)) {
      out.push({ t: 'close' })
      return i + 2
    }
    const c = src[i]!
    if (c === '.') {
      FIELDS.lastIndex = i
      const m = FIELDS.exec(src)
      const prev = out.at(-1)
      if (m) {
        const fields = m[0].slice(1).split('.')
        out.push(
          prev?.t === 'punct' && prev.v === ')' && i > 0 && src[i - 1] === ')'
            ? { t: 'chainfield', v: fields }
            : { t: 'field', v: fields },
        )
        i += m[0].length
      } else {
        out.push({ t: 'field', v: [] })
        i++
      }
      continue
    }
    if (c === '$') {
      IDENT.lastIndex = i + 1
      const m = IDENT.exec(src)
      const name = m ? m[0] : ''
      i += 1 + name.length
      FIELDS.lastIndex = i
      const f = FIELDS.exec(src)
      const fields = f ? f[0].slice(1).split('.') : []
      if (f) i += f[0].length
      out.push({ t: 'var', v: `$${name}`, fields })
      continue
    }
    if (c === '"') {
      let j = i + 1
      let s = ''
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1]
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '')
          j += 2
        } else s += src[j++]
      }
      if (j >= src.length) throw new TemplateError('unterminated quoted string')
      out.push({ t: 'string', v: s })
      i = j + 1
      continue
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1)
      if (j === -1) throw new TemplateError('unterminated raw string')
      out.push({ t: 'string', v: src.slice(i + 1, j) })
      i = j + 1
      continue
    }
    if (/[0-9-]/.test(c) && /[0-9]/.test(c === '-' ? (src[i + 1] ?? '') : c)) {
      const m = /-?[0-9]+(\.[0-9]+)?/y
      m.lastIndex = i
      const r = m.exec(src)!
      out.push({ t: 'number', v: Number(r[0]) })
      i += r[0].length
      continue
    }
    if (src.startsWith(':=', i)) {
      out.push({ t: 'punct', v: ':=' })
      i += 2
      continue
    }
    if ('|(),='.includes(c)) {
      out.push({ t: 'punct', v: c as '|' })
      i++
      continue
    }
    IDENT.lastIndex = i
    const m = IDENT.exec(src)
    if (!m) throw new TemplateError(`unexpected "${c}" in action`)
    out.push({ t: 'ident', v: m[0] })
    i += m[0].length
  }
}
