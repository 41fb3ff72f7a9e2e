// Go's number and time text: strconv's float formatting (%e %f %g) and time.Time's String and
// Format. A leaf: the template values (_value.ts) and Sprintf (_format.ts) both use it.

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
