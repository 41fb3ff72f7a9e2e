/**
 * RFC 7235 `WWW-Authenticate` parsing: a real tokenizer, not `toLowerCase().split(',')`.
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *
 * One header may hold several challenges (Codeberg/Forgejo:
 * `Bearer realm="https://codeberg.org/v2/token",service="container_registry",scope="*", Basic realm="..."`),
 * and a response may carry several header lines. Scheme and parameter names are case-insensitive;
 * values keep their case (realm URLs are case-sensitive). Quoted values may hold commas, `=` and
 * backslash escapes (`\"`).
 */

export interface Challenge {
  /** Lowercased scheme: `bearer`, `basic`, ... */
  scheme: string
  /** Parameters; names lowercased, values exactly as sent (unquoted, unescaped). */
  params: Record<string, string>
  /** A token68 payload, when the challenge carries one instead of parameters. */
  token68?: string
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/

class Scanner {
  pos = 0
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length
  }
  peek(): string | undefined {
    return this.s[this.pos]
  }
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }
  token(): string {
    const start = this.pos
    while (!this.done && TCHAR.test(this.s[this.pos]!)) this.pos++
    return this.s.slice(start, this.pos)
  }
  quoted(): string {
    // At the opening quote. An unterminated string takes the rest of the header.
    this.pos++
    let out = ''
    while (!this.done) {
      const c = this.s[this.pos++]!
      if (c === '"') return out
      if (c === '\\' && !this.done) out += this.s[this.pos++]
      else out += c
    }
    return out
  }
}

function parseOne(header: string, out: Challenge[]): void {
  const sc = new Scanner(header)
  for (;;) {
    while (sc.peek() === ',' || sc.peek() === ' ' || sc.peek() === '\t') sc.pos++
    if (sc.done) return
    const scheme = sc.token()
    // Not a token where a challenge must start (a separator such as `:` or `/` left by an unquoted
    // value, a quote): the rest cannot be read reliably. distribution stops here too.
    if (scheme === '') return
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} }
    out.push(challenge)
    sc.skipWs()
    // `Negotiate abc==`: a token68 runs to the end of the header or to the next comma.
    const t68 = TOKEN68.exec(header.slice(sc.pos))
    if (t68) {
      const after = header.slice(sc.pos + t68[0].length).replace(/^[ \t]*/, '')
      if (after === '' || after.startsWith(',')) {
        challenge.token68 = t68[0]
        sc.pos += t68[0].length
        continue
      }
    }
    for (;;) {
      sc.skipWs()
      const save = sc.pos
      const name = sc.token()
      if (name === '') {
        if (sc.peek() === ',') {
          sc.pos++
          continue
        }
        break
      }
      sc.skipWs()
      if (sc.peek() !== '=') {
        sc.pos = save // a new challenge starts here
        break
      }
      sc.pos++
      sc.skipWs()
      const value = sc.peek() === '"' ? sc.quoted() : sc.token()
      challenge.params[name.toLowerCase()] = value
      sc.skipWs()
      if (sc.peek() === ',') sc.pos++
      else break
    }
  }
}

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. */
export function parseChallenges(headers: string | readonly string[] | undefined): Challenge[] {
  const out: Challenge[] = []
  if (headers === undefined) return out
  for (const h of typeof headers === 'string' ? [headers] : headers) parseOne(h, out)
  return out
}

/** Picks the challenge to answer: Bearer first (with a realm), then Basic. */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === 'bearer' && c.params['realm']) ??
    challenges.find((c) => c.scheme === 'basic') ??
    undefined
  )
}

/** Scopes named by a challenge (`scope="a b"` lists several, space-separated). */
export function challengeScopes(challenge: Challenge): string[] {
  const scope = challenge.params['scope']
  return scope ? scope.split(' ').filter(Boolean) : []
}

/** Stable text form for comparing two challenges (a repeated identical 401 must stop, not loop). */
export function challengeKey(challenge: Challenge | undefined): string {
  if (!challenge) return ''
  const params = Object.keys(challenge.params)
    .sort()
    .map((k) => `${k}=${challenge.params[k]}`)
  return `${challenge.scheme} ${params.join(',')}`
}
