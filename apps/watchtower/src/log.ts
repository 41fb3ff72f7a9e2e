// pino logger with upstream's formats (logrus text/logfmt/json), colour
// control and secret redaction on every line at every level. Each log line
// can also feed the notifier (the logrus hook upstream uses).
import { type Logger, pino } from 'pino'
import type { LogFormat, LogLevel, WatchtowerConfig } from './config/types.ts'
import type { OutputStream } from './deps.ts'
import type { LogEntry } from './notify/templates.ts'

export interface CreateLoggerOptions {
  level: LogLevel
  format: LogFormat
  noColor: boolean
  stream: OutputStream
  /** Values never to print (replaced by `***`). */
  secrets?: readonly string[]
  /** Receives each (redacted) entry, e.g. for notifications. */
  onEntry?: (entry: LogEntry) => void
  now?: () => number
}

const NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}
const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[37m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[31m',
}
/** Key names whose values are always hidden. */
export const REDACT_KEYS = [
  'password',
  'pass',
  'token',
  'secret',
  'auth',
  'authorization',
  'identitytoken',
  'registryToken',
  'httpApiToken',
  'repoPass',
]

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Replaces every occurrence of a secret (raw, JSON-escaped or URL-encoded) with `***`. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>()
  for (const s of secrets) {
    if (!s || s.length < 3) continue
    forms.add(s)
    forms.add(JSON.stringify(s).slice(1, -1))
    forms.add(encodeURIComponent(s))
  }
  if (forms.size === 0) return (t) => t
  const re = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join('|'),
    'g',
  )
  return (t) => t.replace(re, '***')
}

/** Secret values found in the configuration (tokens, passwords, notification URL credentials). */
export function configSecrets(c: WatchtowerConfig): string[] {
  const out = [
    c.httpApiToken,
    c.repoPass,
    c.legacy.emailServerPassword,
    c.legacy.slackHookUrl,
    c.legacy.msteamsHook,
    c.legacy.gotifyToken,
  ]
  for (const raw of c.notificationUrls) {
    out.push(raw)
    try {
      const u = new URL(raw)
      out.push(decodeURIComponent(u.password))
      if (u.username.length >= 8) out.push(decodeURIComponent(u.username))
      for (const seg of [...u.pathname.split('/'), u.hostname])
        if (seg.length >= 16) out.push(decodeURIComponent(seg))
    } catch {}
  }
  return out.filter((s) => s && s.length >= 3)
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s)
}

function format(rec: Record<string, unknown>, fmt: LogFormat, color: boolean, start: number): string {
  const { level, time, msg, pid: _pid, hostname: _h, notify: _n, ...fields } = rec
  const name = NAMES[level as number] ?? 'info'
  // text formats show an error's message; the stack is in the json format only
  if (fmt !== 'json' && fields.err && typeof fields.err === 'object') {
    fields.err = (fields.err as { message?: string }).message ?? fields.err
  }
  if (fmt === 'json') {
    return `${JSON.stringify({ level: name, time: new Date(time as number).toISOString(), msg, ...fields })}\n`
  }
  const kv = Object.entries(fields)
    .map(([k, v]) => `${k}=${logfmtValue(v)}`)
    .join(' ')
  if (fmt === 'logfmt') {
    return `time=${JSON.stringify(new Date(time as number).toISOString())} level=${name} msg=${logfmtValue(msg ?? '')}${kv ? ` ${kv}` : ''}\n`
  }
  // pretty: logrus text style "INFO[0003] message  key=value"
  const secs = String(Math.max(0, Math.floor(((time as number) - start) / 1000))).padStart(4, '0')
  const tag = `${name.toUpperCase().slice(0, 4)}[${secs}]`
  const colored = color ? `${COLORS[name]}${tag}\x1b[0m` : tag
  const line = `${colored} ${String(msg ?? '').padEnd(44)}${kv ? ` ${kv}` : ''}`
  return `${line.trimEnd()}\n`
}

/** Creates the process logger. */
export function createLogger(o: CreateLoggerOptions): Logger {
  const redact = createRedactor(o.secrets ?? [])
  const now = o.now ?? Date.now
  const start = now()
  const tty = Boolean(o.stream.isTTY)
  const fmt: LogFormat = o.format === 'auto' ? (tty ? 'pretty' : 'logfmt') : o.format
  const color = !o.noColor && tty && fmt === 'pretty'
  const destination = {
    write(line: string) {
      const clean = redact(line)
      let rec: Record<string, unknown>
      try {
        rec = JSON.parse(clean) as Record<string, unknown>
      } catch {
        o.stream.write(clean)
        return
      }
      o.stream.write(format(rec, fmt, color, start))
      if (o.onEntry) {
        const { level, time, msg, pid: _p, hostname: _h, ...data } = rec
        o.onEntry({
          level: NAMES[level as number] ?? 'info',
          message: String(msg ?? ''),
          time: new Date(time as number),
          data,
        })
      }
    },
  }
  return pino(
    {
      level: o.level,
      base: undefined,
      timestamp: () => `,"time":${now()}`,
      redact: { paths: REDACT_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '***' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  )
}
