// pino logger with upstream's formats (logrus text/logfmt/json), colour
// control and secret redaction on every line at every level. Each log line
// can also feed the notifier (the logrus hook upstream uses).
import { Buffer } from 'node:buffer'
import { createRedactor as createSharedRedactor, stripControl } from '@watchtower-ts/credentials'
import { type Logger, pino } from 'pino'
import type { LogFormat, LogLevel, WatchtowerConfig } from './config/types.ts'
import type { LogEntry } from './notify/templates.ts'
import type { OutputStream } from './output.ts'

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

/**
 * Replaces every secret (raw, JSON-escaped, URL-encoded, base64), URL userinfo, Authorization
 * values and JWTs with `***`: the project's one redaction path (@watchtower-ts/credentials).
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  return createSharedRedactor({ secrets })
}

/** Strings of a log record without terminal control characters (a registry or file supplied them). */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return stripControl(value)
  if (Array.isArray(value)) return value.map(clean)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = clean(v)
    return out
  }
  return value
}

/** Secret values found in the configuration (tokens, passwords, notification URL credentials). */
/**
 * The user-info of the proxy variables (HTTPS_PROXY, HTTP_PROXY, either case), as written and as a
 * Basic value: never printed (nothing prints them; this is the redaction path's safety net).
 */
export function proxySecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = []
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const raw = env[name]
    if (!raw) continue
    const at = raw.lastIndexOf('@')
    if (at === -1) continue
    out.push(raw)
    const userInfo = raw.slice(raw.indexOf('://') === -1 ? 0 : raw.indexOf('://') + 3, at)
    const colon = userInfo.indexOf(':')
    const user = colon === -1 ? userInfo : userInfo.slice(0, colon)
    const pass = colon === -1 ? '' : userInfo.slice(colon + 1)
    const dec = (v: string) => {
      try {
        return decodeURIComponent(v)
      } catch {
        return v
      }
    }
    if (pass) out.push(pass, dec(pass), Buffer.from(`${dec(user)}:${dec(pass)}`).toString('base64'))
  }
  return out.filter((v) => v.length >= 4)
}

export function configSecrets(c: WatchtowerConfig): string[] {
  const out = [
    c.repoUser && c.repoPass ? Buffer.from(`${c.repoUser}:${c.repoPass}`).toString('base64') : '',
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
      // what an echoing server sends back: the Basic value of user:password
      if (u.password)
        out.push(
          Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString(
            'base64',
          ),
        )
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
      const redacted = redact(line)
      let rec: Record<string, unknown>
      try {
        rec = clean(JSON.parse(redacted)) as Record<string, unknown>
      } catch {
        o.stream.write(stripControl(redacted.replace(/\n$/, '')) + (redacted.endsWith('\n') ? '\n' : ''))
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
