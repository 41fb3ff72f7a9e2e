// Go-style value printing and a printf subset (%v %s %d %q %t %x %X %f %c %%, width, -, 0, .prec).

export function shortId(id: string): string {
  const s = id.startsWith('sha256:') ? id.slice(7) : id
  return s.length > 12 ? s.slice(0, 12) : s
}

/** How text/template prints a value. */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>'
  if (v === null) return '<nil>'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x !== 'function')
    return `{${entries.map(([, x]) => printValue(x)).join(' ')}}`
  }
  return String(v)
}

function pad(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s
  if (left) return s.padEnd(width)
  if (zero) {
    const neg = s.startsWith('-')
    return (neg ? '-' : '') + (neg ? s.slice(1) : s).padStart(width - (neg ? 1 : 0), '0')
  }
  return s.padStart(width)
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = ''
  let ai = 0
  const re = /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g
  let last = 0
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index)
    last = re.lastIndex
    const [, flags = '', w, prec, verb] = m
    if (verb === '%') {
      out += '%'
      continue
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    const a = args[ai++]
    const width = w === undefined ? undefined : Number(w)
    let s: string
    switch (verb) {
      case 'd':
        s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeof a}=${printValue(a)})`
        break
      case 'f':
      case 'F':
        s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${printValue(a)})`
        break
      case 'q':
        s = JSON.stringify(typeof a === 'string' ? a : printValue(a))
        break
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${printValue(a)})`
        break
      case 'x':
      case 'X': {
        const h =
          typeof a === 'number'
            ? a.toString(16)
            : Buffer.from(typeof a === 'string' ? a : printValue(a)).toString('hex')
        s = verb === 'X' ? h.toUpperCase() : h
        break
      }
      case 'c':
        s = typeof a === 'number' ? String.fromCodePoint(a) : `%!c(${printValue(a)})`
        break
      default: // v, s and the rest
        s = printValue(a)
        if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec))
    }
    if (flags.includes('+') && typeof a === 'number' && a >= 0 && (verb === 'd' || verb === 'f')) s = `+${s}`
    out += pad(s, width, flags.includes('-'), flags.includes('0'))
  }
  return out + format.slice(last)
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const p2 = (n: number) => String(n).padStart(2, '0')

/** Go's time.Format with the common layout elements (UTC). */
export function goTimeFormat(d: Date, layout: string): string {
  const tokens: [string, () => string][] = [
    ['2006', () => String(d.getUTCFullYear())],
    ['January', () => MONTHS[d.getUTCMonth()]!],
    ['Monday', () => DAYS[d.getUTCDay()]!],
    ['Jan', () => MONTHS[d.getUTCMonth()]!.slice(0, 3)],
    ['Mon', () => DAYS[d.getUTCDay()]!.slice(0, 3)],
    ['MST', () => 'UTC'],
    ['Z07:00', () => 'Z'],
    ['-07:00', () => '+00:00'],
    ['-0700', () => '+0000'],
    ['.000', () => `.${String(d.getUTCMilliseconds()).padStart(3, '0')}`],
    ['01', () => p2(d.getUTCMonth() + 1)],
    ['02', () => p2(d.getUTCDate())],
    ['06', () => p2(d.getUTCFullYear() % 100)],
    ['15', () => p2(d.getUTCHours())],
    ['03', () => p2(d.getUTCHours() % 12 || 12)],
    ['04', () => p2(d.getUTCMinutes())],
    ['05', () => p2(d.getUTCSeconds())],
    ['PM', () => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
    ['_2', () => String(d.getUTCDate()).padStart(2, ' ')],
    ['1', () => String(d.getUTCMonth() + 1)],
    ['2', () => String(d.getUTCDate())],
    ['3', () => String(d.getUTCHours() % 12 || 12)],
    ['4', () => String(d.getUTCMinutes())],
    ['5', () => String(d.getUTCSeconds())],
  ]
  let out = ''
  let i = 0
  outer: while (i < layout.length) {
    for (const [t, f] of tokens) {
      if (layout.startsWith(t, i)) {
        out += f()
        i += t.length
        continue outer
      }
    }
    out += layout[i++]
  }
  return out
}
