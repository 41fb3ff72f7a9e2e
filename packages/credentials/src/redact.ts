/**
 * The project's one redaction path. Everything printed (log lines, error messages, credcheck's
 * text and JSON, notification error excerpts, helper output) goes through `createRedactor`; text a
 * registry, server or file supplied also goes through `stripControl` before it reaches a terminal.
 */
import { Buffer } from 'node:buffer'

/** What replaces a secret. */
export const REDACTED = '***'

// ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte ones.
const ANSI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]/g
// C0 (but tab and newline), DEL, C1, and the Unicode bidi controls that reorder what is shown.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * Removes terminal control sequences and characters (ANSI escapes, carriage returns, backspaces,
 * bidi overrides) from text a registry, server or file supplied. Tab and newline stay.
 */
export function stripControl(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '')
}

// `scheme://user:pass@host` (and `scheme://token@host`): the userinfo is never shown.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*)@/gi
// `Authorization: Basic xxx`, `Bearer xxx`, `token=xxx` wherever they appear (an echoed request).
// The value must not read as a word (a digit, a base64 symbol, or an upper-case letter after a
// lower-case one), so prose ("Basic authentication", "Bearer Token") stays readable.
const AUTH_VALUE =
  /\b(Basic|Bearer|(?:access_|refresh_)?token)(\s+|=|:\s*)(?=[A-Za-z0-9+/._~-]*[0-9+/]|[A-Za-z0-9+/._~-]*[a-z][A-Za-z0-9+/._~-]*[A-Z]|[A-Z]{2})([A-Za-z0-9+/._~-]{6,}=*)/g
// JWTs (header.payload[.signature]), whatever produced them.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g
// JSON fields that hold secrets (helper output, config.json excerpts, echoed request bodies).
const SECRET_FIELD =
  /("(?:secret|password|passwd|auth|identitytoken|token|access_token|refresh_token)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi
/** Environment variable names whose values are secrets. */
export const SECRET_ENV_NAME = /SECRET|PASS|TOKEN|KEY|CREDENTIAL|AUTH/i

export interface RedactorOptions {
  /** Known secrets: each is replaced raw, JSON-escaped, URL-encoded and base64-encoded. */
  secrets?: Iterable<string | undefined>
  /** Every value of a secret-looking variable (`*PASS*`, `*TOKEN*`, ...) is a secret too. */
  env?: Readonly<Record<string, string | undefined>>
  /** Shorter secrets are not searched for (they would garble ordinary words). @default 3 */
  minLength?: number
}

export type Redactor = (text: string) => string

/** Every form a secret may take in printed text. */
function forms(secret: string): string[] {
  const out = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])
  try {
    out.add(decodeURIComponent(secret))
  } catch {}
  // base64 of the secret alone (any alignment is not feasible; the aligned form is the common one)
  if (secret.length >= 6) out.add(Buffer.from(secret).toString('base64').replace(/=+$/, ''))
  return [...out].filter((f) => f !== '')
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * A function that hides every known secret (in all its forms), URL userinfo, Authorization values,
 * JWTs and secret JSON fields. It does not strip control characters (see `stripControl`).
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const min = options.minLength ?? 3
  const secrets = new Set<string>()
  for (const s of options.secrets ?? []) if (s && s.length >= min) secrets.add(s)
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value && value.length >= Math.max(min, 4) && SECRET_ENV_NAME.test(name)) secrets.add(value)
  }
  const all = new Set<string>()
  for (const s of secrets) for (const f of forms(s)) if (f.length >= min) all.add(f)
  const known =
    all.size === 0
      ? undefined
      : new RegExp(
          [...all]
            .sort((a, b) => b.length - a.length)
            .map(escapeRe)
            .join('|'),
          'g',
        )
  return (text) => {
    let out = known ? text.replace(known, REDACTED) : text
    out = out
      .replace(SECRET_FIELD, `$1${REDACTED}$3`)
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(AUTH_VALUE, `$1$2${REDACTED}`)
      .replace(JWT, REDACTED)
    // A secret may only have become visible once another was replaced (overlaps): run once more.
    return known ? out.replace(known, REDACTED) : out
  }
}

/** `redact(text, options)` in one call. */
export function redactText(text: string, options: RedactorOptions = {}): string {
  return createRedactor(options)(text)
}

/** A URL for messages: no userinfo, no query, no fragment (query strings carry account names). */
export function redactUrl(raw: string | URL): string {
  try {
    const u = typeof raw === 'string' ? new URL(raw) : raw
    return stripControl(`${u.protocol}//${u.host}${u.pathname}`)
  } catch {
    return stripControl(
      String(raw)
        .replace(URL_USERINFO, `$1${REDACTED}@`)
        .replace(/[?#].*$/, ''),
    )
  }
}

/**
 * A short, safe excerpt of text someone else supplied (a response body, a helper's output):
 * control characters stripped, secrets hidden, capped at `max` characters.
 */
export function safeExcerpt(text: string, options: RedactorOptions & { max?: number } = {}): string {
  const max = options.max ?? 200
  const clean = createRedactor(options)(stripControl(text)).replace(/\s+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length - max} more characters)` : clean
}

// A word of prose: letters with at most an inner apostrophe or hyphen, some punctuation around it.
const PROSE_WORD = /^[("'`[]*[A-Za-z]?[a-z]+(?:['-][a-z]+)*[)"'`\].,:;!?]*$/

/**
 * Output of a program that may print its secret (a credential helper): only words of prose are
 * kept; anything shaped like a token, a password or data (digits, symbols, mixed case, long runs) is
 * replaced. Output that is a single word is never shown: it may be the bare secret.
 */
export function proseOnly(text: string, options: RedactorOptions = {}): string {
  const clean = createRedactor(options)(stripControl(text)).trim()
  if (clean === '') return '(no output)'
  const words = clean.split(/\s+/)
  if (words.length === 1) return `(${clean.length} characters, not shown)`
  let hidden = 0
  const shown = words
    .map((w) => {
      if (w === REDACTED || (w.length <= 24 && PROSE_WORD.test(w))) return w
      hidden++
      return '…'
    })
    .join(' ')
  const capped = shown.length > 300 ? `${shown.slice(0, 300)}…` : shown
  return hidden > 0 ? `${capped} (${hidden} word(s) hidden)` : capped
}
