// The test bed's token server (distribution's token auth spec + the OAuth2 form), plain node, no deps.
// Usage: node token-server.mjs CONFIG.json   (written by the bed; see _token.ts)
import { createHash, createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttp } from 'node:http'
import { createServer as createHttps } from 'node:https'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const signingKey = createPrivateKey(readFileSync(config.signingKey))
const signingDer = readFileSync(config.signingCert, 'utf8')
  .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
  .replace(/\s+/g, '')
/** @type {object[]} */
let records = []
/** A bed kept up for days must not grow without bound; tests read their own recent records. */
const MAX_RECORDS = 100_000
/** @type {Map<string, object>} */
const policies = new Map()
/** refresh token -> account */
const refreshTokens = new Map()

const b64url = (buf) => Buffer.from(buf).toString('base64url')

function jwt(claims) {
  const header = { typ: 'JWT', alg: 'RS256', x5c: [signingDer] }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  return `${input}.${b64url(sign('sha256', Buffer.from(input), signingKey))}`
}

function parseScope(s) {
  const first = s.indexOf(':')
  const last = s.lastIndexOf(':')
  if (first < 0 || last === first) return undefined
  return {
    type: s.slice(0, first),
    name: s.slice(first + 1, last),
    actions: s
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  }
}

/** What `account` ('' = anonymous) may do on one scope: the intersection of asked and allowed. */
function grant(account, scope) {
  const allowed = new Set()
  for (const rule of config.rules) {
    if (rule.account !== '' && rule.account !== account) continue
    if (rule.type !== scope.type) continue
    if (!scope.name.startsWith(rule.prefix)) continue
    for (const a of rule.actions) allowed.add(a)
  }
  const actions = allowed.has('*') ? scope.actions : scope.actions.filter((a) => allowed.has(a))
  return { type: scope.type, name: scope.name, actions }
}

function policyFor(scopes) {
  let best
  for (const s of scopes) {
    const p = parseScope(s)
    if (p?.type !== 'repository') continue
    for (const pol of policies.values()) {
      if (
        p.name.startsWith(pol.repositoryPrefix) &&
        (!best || pol.repositoryPrefix.length > best.repositoryPrefix.length)
      )
        best = pol
    }
  }
  return best ?? policies.get('') ?? {}
}

function checkPassword(username, password) {
  const want = config.users[username]
  if (want === undefined || typeof password !== 'string') return false
  const h = (v) => createHash('sha256').update(v).digest()
  return h(want).equals(h(password))
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

async function handleToken(req, res) {
  const url = new URL(req.url, 'https://x')
  const rec = {
    time: new Date().toISOString(),
    method: req.method,
    userAgent: req.headers['user-agent'] ?? '',
    scopes: [],
    status: 0,
    granted: [],
  }
  const finish = (status, body, headers) => {
    rec.status = status
    records.push(rec)
    if (records.length > MAX_RECORDS) records = records.slice(-MAX_RECORDS / 2)
    send(res, status, body, headers)
  }
  let account = ''
  let ok = true
  let refreshToken
  let service
  if (req.method === 'GET') {
    service = url.searchParams.get('service') ?? undefined
    rec.scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
    const auth = req.headers.authorization
    if (auth?.startsWith('Basic ')) {
      const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8')
      const i = dec.indexOf(':')
      const user = i < 0 ? dec : dec.slice(0, i)
      const password = i < 0 ? undefined : dec.slice(i + 1)
      // Docker's fallback for an identity token: GET with Basic <username or "<token>">:<refresh token>.
      const owner = password === undefined ? undefined : refreshTokens.get(password)
      if (owner !== undefined && (user === owner || user === '<token>')) {
        rec.account = owner
        account = owner
      } else {
        rec.account = user
        ok = checkPassword(user, password)
        account = user
      }
    }
  } else if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req))
    service = form.get('service') ?? undefined
    rec.scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
    const gt = form.get('grant_type')
    if (gt === 'password') {
      rec.grantType = 'password'
      account = form.get('username') ?? ''
      rec.account = account
      ok = checkPassword(account, form.get('password') ?? undefined)
      if (ok && form.get('access_type') === 'offline') {
        refreshToken = randomBytes(24).toString('base64url')
        refreshTokens.set(refreshToken, account)
      }
    } else if (gt === 'refresh_token') {
      rec.grantType = 'refresh_token'
      const rt = form.get('refresh_token') ?? ''
      ok = refreshTokens.has(rt)
      if (ok) {
        account = refreshTokens.get(rt)
        refreshToken = rt
      }
    } else {
      if (service) rec.service = service
      return finish(400, {
        error: 'unsupported_grant_type',
        error_description: `grant_type ${gt ?? '(none)'} is not supported`,
      })
    }
  } else {
    return finish(405, { errors: [{ code: 'UNSUPPORTED', message: 'GET or POST only' }] })
  }
  if (service) rec.service = service
  const policy = policyFor(rec.scopes)
  // A token server without the OAuth2 endpoint (or one that refuses POST): 404/405 to every POST.
  if (req.method === 'POST' && policy.postStatus && rec.grantType === 'refresh_token') {
    return finish(policy.postStatus, { errors: [{ code: 'UNSUPPORTED', message: 'no OAuth2 POST here' }] })
  }
  if (policy.failWith) {
    return finish(policy.failWith, {
      errors: [{ code: 'UNAVAILABLE', message: `token server told to answer ${policy.failWith}` }],
    })
  }
  if (!ok) {
    return finish(
      401,
      {
        errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username, password or refresh token' }],
        details: 'incorrect username or password',
      },
      { 'www-authenticate': 'Basic realm="wt-testbed-token"' },
    )
  }
  if (service !== undefined && service !== config.service) {
    return finish(400, { errors: [{ code: 'INVALID_SERVICE', message: `unknown service ${service}` }] })
  }
  const granted = rec.scopes
    .map(parseScope)
    .filter(Boolean)
    .map((s) => grant(account, s))
  rec.granted = granted.filter((g) => g.actions.length > 0)
  const now = Math.floor(Date.now() / 1000)
  const expiresIn = policy.expiresIn ?? 300
  const token = jwt({
    iss: config.issuer,
    sub: account,
    aud: config.service,
    exp: now + expiresIn,
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    access: rec.granted,
  })
  const body = {}
  if (!policy.accessTokenOnly) body.token = token
  body.access_token = token
  if (!policy.omitExpiresIn) body.expires_in = expiresIn
  body.issued_at = new Date((now + (policy.issuedAtOffset ?? 0)) * 1000).toISOString()
  if (refreshToken) body.refresh_token = refreshToken
  return finish(200, body)
}

const main = createHttps({ cert: readFileSync(config.cert), key: readFileSync(config.key) }, (req, res) => {
  const path = new URL(req.url, 'https://x').pathname
  if (path === '/token') {
    handleToken(req, res).catch((e) => send(res, 500, { errors: [{ code: 'INTERNAL', message: String(e) }] }))
  } else send(res, 404, { errors: [{ code: 'NOT_FOUND', message: path }] })
})

const admin = createHttp(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  try {
    if (url.pathname === '/healthz') return send(res, 200, { ok: true, pid: process.pid })
    if (url.pathname === '/log' && req.method === 'GET') return send(res, 200, records)
    if (url.pathname === '/log' && req.method === 'DELETE') {
      records = []
      return send(res, 200, { ok: true })
    }
    if (url.pathname === '/policy' && req.method === 'PUT') {
      const p = JSON.parse(await readBody(req))
      if (typeof p.repositoryPrefix !== 'string')
        return send(res, 400, { error: 'repositoryPrefix (string) is required' })
      policies.set(p.repositoryPrefix, p)
      return send(res, 200, { ok: true })
    }
    if (url.pathname === '/policy' && req.method === 'DELETE') {
      const prefix = url.searchParams.get('prefix')
      if (prefix === null) policies.clear()
      else policies.delete(prefix)
      return send(res, 200, { ok: true })
    }
    if (url.pathname === '/policy' && req.method === 'GET') return send(res, 200, [...policies.values()])
    return send(res, 404, { error: `no ${req.method} ${url.pathname}` })
  } catch (e) {
    return send(res, 400, { error: String(e) })
  }
})

main.listen(config.port, '127.0.0.1')
admin.listen(config.adminPort, '127.0.0.1')
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
