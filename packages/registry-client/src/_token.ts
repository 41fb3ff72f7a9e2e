/**
 * Token requests (distribution `token.md` and `oauth.md`):
 * - basic credentials:  GET  <realm>?service=S&scope=A&scope=B&client_id=C&account=U  + Authorization: Basic
 * - identity token:     POST <realm>  grant_type=refresh_token&refresh_token=T&service=S&client_id=C&scope=A B
 *                       (404/405 → the GET above, Basic with the username and the identity token)
 * - anonymous:          GET without Authorization (Hub, GHCR, Quay issue pull tokens for public repositories)
 * The answer carries `token` and/or `access_token`, optional `expires_in`, `issued_at`, `refresh_token`.
 */
import { Buffer } from 'node:buffer'
import { z } from 'zod'
import type { FetchedTokenLike, RegistryCredentialsLike } from './_deps.ts'
import { displayUrl, type Http, type HttpResponse } from './_http.ts'
import { BODY_LIMITS } from './body.ts'
import { RegistryError } from './errors.ts'
import { firstHeader, parseRetryAfter } from './rate-limit.ts'

const TokenResponse = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
  refresh_token: z.string().optional(),
})

export interface TokenRequest {
  registry: string
  realm: URL
  service: string | undefined
  scopes: readonly string[]
  credentials: RegistryCredentialsLike
  clientId: string
  now(): number
}

export interface TokenOutcome {
  token: FetchedTokenLike
  method: 'GET' | 'POST'
  status: number
}

export interface TokenAttempt {
  method: 'GET' | 'POST'
  grant: 'basic' | 'refresh_token' | 'anonymous'
  status: number
  expiresIn?: number
}

export async function requestToken(
  http: Http,
  req: TokenRequest,
  onAttempt: (a: TokenAttempt) => void,
): Promise<FetchedTokenLike> {
  const creds = req.credentials
  if (creds.kind === 'identity-token') {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.secret() ?? '' })
    if (req.service !== undefined) form.set('service', req.service)
    form.set('client_id', req.clientId)
    if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '))
    const res = await http.send({
      method: 'POST',
      url: req.realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      kind: 'token',
      registry: req.registry,
      maxBodyBytes: BODY_LIMITS.token,
    })
    if (res.status !== 404 && res.status !== 405) {
      const token = readToken(res, req, 'POST')
      onAttempt({ method: 'POST', grant: 'refresh_token', status: res.status, ...expiry(token) })
      return token
    }
    onAttempt({ method: 'POST', grant: 'refresh_token', status: res.status })
  }

  const url = new URL(req.realm)
  if (req.service !== undefined) url.searchParams.set('service', req.service)
  for (const scope of req.scopes) url.searchParams.append('scope', scope)
  url.searchParams.set('client_id', req.clientId)
  const headers: Record<string, string> = { accept: 'application/json' }
  let grant: TokenAttempt['grant'] = 'anonymous'
  if (creds.kind === 'basic') {
    const auth = creds.basicAuthorization()
    if (auth) {
      headers['authorization'] = auth
      grant = 'basic'
    }
  } else if (creds.kind === 'identity-token') {
    headers['authorization'] =
      `Basic ${Buffer.from(`${creds.username ?? '<token>'}:${creds.secret() ?? ''}`).toString('base64')}`
    grant = 'basic'
  }
  if (grant === 'basic' && creds.username) url.searchParams.set('account', creds.username)
  const res = await http.send({
    method: 'GET',
    url,
    headers,
    kind: 'token',
    registry: req.registry,
    maxBodyBytes: BODY_LIMITS.token,
  })
  try {
    const token = readToken(res, req, 'GET')
    onAttempt({ method: 'GET', grant, status: res.status, ...expiry(token) })
    return token
  } catch (err) {
    onAttempt({ method: 'GET', grant, status: res.status })
    throw err
  }
}

function expiry(token: FetchedTokenLike): { expiresIn?: number } {
  return token.expiresIn === undefined ? {} : { expiresIn: token.expiresIn }
}

function readToken(res: HttpResponse, req: TokenRequest, method: 'GET' | 'POST'): FetchedTokenLike {
  const where = `${method} ${displayUrl(req.realm)}`
  const details = { registry: req.registry, url: displayUrl(req.realm), method, status: res.status }
  if (res.status === 401 || res.status === 403) {
    const who =
      req.credentials.kind === 'anonymous'
        ? 'an anonymous token (no credentials configured)'
        : `the credentials of ${req.credentials.username ?? 'the identity token'} (${req.credentials.source.description})`
    throw new RegistryError(
      'WT_REGISTRY_TOKEN_DENIED',
      `token server refused ${who} with ${res.status}: ${where}`,
      details,
    )
  }
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(firstHeader(res.headers['retry-after']), req.now())
    throw new RegistryError(
      'WT_REGISTRY_RATE_LIMITED',
      `token server rate limited the request (429): ${where}`,
      {
        ...details,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    )
  }
  if (res.status >= 500) {
    throw new RegistryError(
      'WT_REGISTRY_NETWORK',
      `token server failed with ${res.status}: ${where}`,
      details,
    )
  }
  if (res.status !== 200) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `token server answered ${res.status}: ${where}`, details)
  }
  // No `cause` from JSON.parse: its message quotes the body, which may hold a token.
  let json: unknown
  try {
    json = JSON.parse(res.body.toString('utf8'))
  } catch {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `token server sent a body that is not JSON: ${where}`,
      details,
    )
  }
  const result = TokenResponse.safeParse(json)
  if (!result.success) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `token server sent an unreadable token response: ${where}`,
      details,
    )
  }
  const parsed = result.data
  const token = parsed.token || parsed.access_token
  if (!token) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `token response has neither "token" nor "access_token": ${where}`,
      details,
    )
  }
  const out: FetchedTokenLike = { token }
  if (parsed.expires_in !== undefined) out.expiresIn = parsed.expires_in
  if (parsed.issued_at !== undefined) out.issuedAt = parsed.issued_at
  if (parsed.refresh_token !== undefined) out.refreshToken = parsed.refresh_token
  return out
}
