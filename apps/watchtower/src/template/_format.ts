// Go's fmt for template values: float formatting (strconv's %e %f %g), Sprintf with the
// verbs, flags, width and precision templates use, and time.Time's String and Format.
import { goQuote } from './_nodes.ts'
import { fields, GoFloat, kindOf, num, printValue, sortedEntries, typeName } from './_value.ts'

export function shortId(id: string): string {
  const s = id.startsWith('sha256:') ? id.slice(7) : id
  return s.length > 12 ? s.slice(0, 12) : s
}

/** Decimal digits of |v| (trailing zeros trimmed) and the decimal point position, as strconv's decimal. */
function digitsOf(v: number, sig?: number): { d: string; dp: number } {
  if (v === 0) return { d: '', dp: 0 }
  const [m, e] = Math.abs(v)
    .toExponential(sig === undefined ? undefined : sig - 1)
    .split('e')
  return { d: m!.replace('.', '').replace(/0+$/, ''), dp: Number(e) + 1 }
}

function fmtE(d: string, dp: number, prec: number, verb: string): string {
  let s = d[0] ?? '0'
  if (prec > 0) s += `.${d.slice(1, prec + 1).padEnd(prec, '0')}`
  const exp = d === '' ? 0 : dp - 1
  return `${s}${verb}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
}

function fmtF(d: string, dp: number, prec: number): string {
  let s = dp > 0 ? d.slice(0, dp).padEnd(dp, '0') : '0'
  if (prec > 0) {
    s += '.'
    for (let i = 1; i <= prec; i++) s += d[dp + i - 1] ?? '0'
  }
  return s
}

/** strconv.FormatFloat(v, verb, prec, 64) for e, E, f, g and G (prec -1: shortest). */
export function formatFloat(v: number, verb: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf'
  const neg = v < 0 || Object.is(v, -0) ? '-' : ''
  const lower = verb.toLowerCase()
  if (lower === 'f') {
    if (prec < 0) {
      const { d, dp } = digitsOf(v)
      return neg + fmtF(d, dp, Math.max(d.length - dp, 0))
    }
    const s = Math.abs(v).toFixed(prec)
    return neg + s
  }
  const shortest = prec < 0
  const e = verb === 'G' ? 'E' : verb === 'g' ? 'e' : verb
  if (lower === 'e') {
    const { d, dp } = digitsOf(v, shortest ? undefined : prec + 1)
    return neg + fmtE(d, dp, shortest ? d.length - 1 : prec, e)
  }
  let p = shortest ? -1 : prec === 0 ? 1 : prec
  const { d, dp } = digitsOf(v, shortest ? undefined : p)
  if (shortest) p = d.length
  let eprec = shortest ? 6 : p
  if (!shortest && eprec > d.length && d.length >= dp) eprec = d.length
  const exp = dp - 1
  if (exp < -4 || exp >= eprec) return neg + fmtE(d, dp, Math.min(p, Math.max(d.length, 1)) - 1, e)
  return neg + fmtF(d, dp, Math.max((p > dp ? d.length : p) - dp, 0))
}

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

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
)
const DAYS = 'Sunday Monday Tuesday Wednesday Thursday Friday Saturday'.split(' ')
const p2 = (n: number) => String(n).padStart(2, '0')

/** Go's time.Format with the common layout elements (UTC). */
export function goTimeFormat(d: Date, layout: string): string {
  const frac = (n: number, trim: boolean) => {
    const s = String(d.getUTCMilliseconds()).padStart(3, '0').padEnd(n, '0').slice(0, n)
    const t = trim ? s.replace(/0+$/, '') : s
    return t ? `.${t}` : ''
  }
  const tokens: [RegExp, (m: string) => string][] = [
    [/^2006/, () => String(d.getUTCFullYear())],
    [/^January/, () => MONTHS[d.getUTCMonth()]!],
    [/^Monday/, () => DAYS[d.getUTCDay()]!],
    [/^Jan/, () => MONTHS[d.getUTCMonth()]!.slice(0, 3)],
    [/^Mon/, () => DAYS[d.getUTCDay()]!.slice(0, 3)],
    [/^MST/, () => 'UTC'],
    [/^Z07:00/, () => 'Z'],
    [/^-07:00/, () => '+00:00'],
    [/^-0700/, () => '+0000'],
    [/^[.,]0+(?![0-9])/, (m) => frac(m.length - 1, false)],
    [/^[.,]9+(?![0-9])/, (m) => frac(m.length - 1, true)],
    [/^01/, () => p2(d.getUTCMonth() + 1)],
    [/^02/, () => p2(d.getUTCDate())],
    [/^06/, () => p2(d.getUTCFullYear() % 100)],
    [/^15/, () => p2(d.getUTCHours())],
    [/^03/, () => p2(d.getUTCHours() % 12 || 12)],
    [/^04/, () => p2(d.getUTCMinutes())],
    [/^05/, () => p2(d.getUTCSeconds())],
    [/^PM/, () => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
    [/^_2/, () => String(d.getUTCDate()).padStart(2, ' ')],
    [/^1/, () => String(d.getUTCMonth() + 1)],
    [/^2/, () => String(d.getUTCDate())],
    [/^3/, () => String(d.getUTCHours() % 12 || 12)],
    [/^4/, () => String(d.getUTCMinutes())],
    [/^5/, () => String(d.getUTCSeconds())],
  ]
  let out = ''
  let i = 0
  outer: while (i < layout.length) {
    const rest = layout.slice(i)
    for (const [re, f] of tokens) {
      const m = re.exec(rest)
      if (m) {
        out += f(m[0])
        i += m[0].length
        continue outer
      }
    }
    out += layout[i++]
  }
  return out
}

/** time.Time.String() (UTC). */
export const goTimeString = (d: Date) => goTimeFormat(d, '2006-01-02 15:04:05.999999999 -0700 MST')
