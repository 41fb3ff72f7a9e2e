// Value parsers with Go's rules (strconv.ParseBool, time.ParseDuration).
import type { LogLevel } from './types.ts'

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true
  if (FALSE.has(text)) return false
  return undefined
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/** Go's time.ParseDuration, in milliseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let s = text
  let sign = 1
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1
    s = s.slice(1)
  }
  if (s === '0') return 0
  if (s === '') return undefined
  let total = 0
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/
  while (s.length > 0) {
    const m = re.exec(s)
    if (!m) return undefined
    total += Number(m[1]) * UNIT_MS[m[2]!]!
    s = s.slice(m[0].length)
  }
  return sign * total
}

/** Formats milliseconds like Go's Duration.String (1h2m3s, 1.5s, 300ms). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s'
  const neg = ms < 0
  let rest = Math.abs(ms)
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = rest / 1000
  let out = ''
  if (h) out += `${h}h`
  if (h || m) out += `${m}m`
  out += `${Number(s.toFixed(9))}s`
  return (neg ? '-' : '') + out
}

/** Decimal integer (optional sign); undefined when invalid. */
export function parseInteger(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text.trim())) return undefined
  const n = Number(text.trim())
  return Number.isSafeInteger(n) ? n : undefined
}

/** Splits on commas and whitespace, dropping empty items. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((x) => x !== '')
}

/** Splits on whitespace only (viper's GetStringSlice for env values). */
export function splitFields(text: string): string[] {
  return text.split(/\s+/).filter((x) => x !== '')
}

/** Upstream's level aliases: panic is fatal, warning is warn. */
export function normalizeLevel(level: string): LogLevel {
  if (level === 'panic') return 'fatal'
  if (level === 'warning') return 'warn'
  return level as LogLevel
}
