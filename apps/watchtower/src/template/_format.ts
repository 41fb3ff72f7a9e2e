// Go's fmt for template values: Sprintf with the verbs, flags, width and precision templates use
// (the float and time text are in _go-text.ts).
import { formatFloat, goTimeString } from './_go-text.ts'
import { goQuote } from './_nodes.ts'
import { fields, GoFloat, kindOf, num, printValue, sortedEntries, typeName } from './_value.ts'

interface Spec {
  plus: boolean
  minus: boolean
  sharp: boolean
  space: boolean
  zero: boolean
  width?: number
  prec?: number
}

function pad(s: string, f: Spec, numeric: boolean): string {
  if (f.width === undefined || [...s].length >= f.width) return s
  const n = f.width - [...s].length
  if (f.minus) return s + ' '.repeat(n)
  if (f.zero && numeric && /^[+-]/.test(s)) return s[0] + '0'.repeat(n) + s.slice(1)
  return (f.zero ? '0' : ' ').repeat(n) + s
}

const bad = (verb: string, a: unknown) =>
  a === null || a === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(a)}=${printValue(a, false)})`

function fmtInt(n: number, verb: string, f: Spec): string | undefined {
  const neg = n < 0
  const abs = Math.abs(n)
  let s: string
  switch (verb) {
    case 'd':
    case 'v':
      s = String(abs)
      break
    case 'b':
      s = abs.toString(2)
      break
    case 'o':
    case 'O':
      s = abs.toString(8)
      break
    case 'x':
      s = abs.toString(16)
      break
    case 'X':
      s = abs.toString(16).toUpperCase()
      break
    case 'c':
      return String.fromCodePoint(n)
    case 'q':
      return `'${String.fromCodePoint(n).replace(/[\\']/, '\\$&')}'`
    case 'U': {
      const u = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`
      return f.sharp ? `${u} '${String.fromCodePoint(n)}'` : u
    }
    default:
      return undefined
  }
  if (f.prec !== undefined) s = s.padStart(f.prec, '0')
  if (f.sharp && (verb === 'x' || verb === 'X')) s = `0${verb}${s}`
  if (f.sharp && verb === 'o' && !s.startsWith('0')) s = `0${s}`
  if (verb === 'O') s = `0o${s}`
  return (neg ? '-' : f.plus ? '+' : f.space ? ' ' : '') + s
}

/** One argument formatted with one verb, as fmt does (composites format each element). */
function fmtArg(a: unknown, verb: string, f: Spec): { s: string; numeric: boolean } {
  const k = kindOf(a)
  const sub = (x: unknown) => fmtArg(x, verb, { ...f, width: undefined }).s
  if (verb === 'T') return { s: typeName(a), numeric: false }
  switch (k) {
    case 'invalid':
    case 'nil':
      return { s: verb === 'v' ? '<nil>' : bad(verb, a), numeric: false }
    case 'bool':
      return { s: verb === 't' || verb === 'v' ? String(a) : bad(verb, a), numeric: false }
    case 'int': {
      const s = fmtInt(Number(a), verb, f)
      return s === undefined
        ? /[eEfFgG]/.test(verb)
          ? fmtArg(new GoFloat(Number(a)), verb, f)
          : { s: bad(verb, a), numeric: false }
        : { s, numeric: true }
    }
    case 'float': {
      if (!/[eEfFgGv]/.test(verb)) return { s: bad(verb, a), numeric: false }
      const v = num(a)
      const fv = verb === 'v' ? 'g' : verb === 'F' ? 'f' : verb
      const dflt = /[eEfF]/.test(verb) ? 6 : -1
      let s = formatFloat(v, fv, f.prec ?? dflt)
      if (!s.startsWith('-') && (f.plus || f.space)) s = (f.plus ? '+' : ' ') + s
      return { s, numeric: true }
    }
    case 'string': {
      let s = a as string
      if (verb === 's' || verb === 'v') {
        if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('')
      } else if (verb === 'q') s = f.sharp && !/[`\p{C}]/u.test(s) ? `\`${s}\`` : goQuote(s)
      else if (verb === 'x' || verb === 'X') {
        s = Buffer.from(s).toString('hex')
        if (verb === 'X') s = s.toUpperCase()
      } else s = bad(verb, a)
      return { s, numeric: false }
    }
    case 'slice':
      return { s: `[${(a as unknown[]).map(sub).join(' ')}]`, numeric: false }
    case 'map':
      return {
        s: `map[${sortedEntries(a as Map<unknown, unknown>)
          .map(([key, x]) => `${sub(key)}:${sub(x)}`)
          .join(' ')}]`,
        numeric: false,
      }
    case 'struct':
    case 'record': {
      if (
        'vsqxX'.includes(verb) &&
        (typeof (a as { Error?: unknown }).Error === 'function' ||
          typeof (a as { String?: unknown }).String === 'function')
      )
        return fmtArg(printValue(a, false), verb, f)
      const parts = fields(a as object).map(([name, x]) =>
        f.plus && verb === 'v' ? `${name}:${sub(x)}` : sub(x),
      )
      return { s: `{${parts.join(' ')}}`, numeric: false }
    }
    case 'time':
      return fmtArg(goTimeString(a as Date), verb, f)
    default:
      return { s: verb === 'v' ? printValue(a, false) : bad(verb, a), numeric: false }
  }
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = ''
  let ai = 0
  const re = /%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?(.|$)/gsu
  let last = 0
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index)
    last = re.lastIndex
    const [, flags = '', w, p, verb = ''] = m
    if (verb === '%') {
      out += '%'
      continue
    }
    if (verb === '') {
      out += '%!(NOVERB)'
      break
    }
    const f: Spec = {
      plus: flags.includes('+'),
      minus: flags.includes('-'),
      sharp: flags.includes('#'),
      space: flags.includes(' '),
      zero: flags.includes('0') && !flags.includes('-'),
    }
    if (w === '*') f.width = Number(args[ai++])
    else if (w !== undefined) f.width = Number(w)
    if (p === '*') f.prec = Number(args[ai++])
    else if (p !== undefined) f.prec = Number(p || 0)
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    const r = fmtArg(args[ai++], verb, f)
    out += pad(r.s, f, r.numeric)
  }
  out += format.slice(last)
  if (ai < args.length)
    out += `%!(EXTRA ${args
      .slice(ai)
      .map((a) => `${typeName(a)}=${printValue(a, false)}`)
      .join(', ')})`
  return out
}
