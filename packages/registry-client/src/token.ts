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
import { BODY_LIMITS } from './body.ts'
import type { Challenge } from './challenge.ts'
import { RegistryError } from './errors.ts'
import { displayUrl, type Exchange, type RegistryResponse } from './exchange.ts'
import { firstHeader, parseRetryAfter } from './rate-limit.ts'

const TokenResponse = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
  refresh_token: z.string().optional(),
})

export interface ResolveRealmOptions {
  /** The Bearer challenge (its `realm`, possibly relative). */
  challenge: Challenge
  registry: string
  /** Scheme the registry was reached with (the ping's). */
  scheme: 'https' | 'http'
  apiHost: string
  /** What would be sent: credentials never go to a plain-http realm of an https registry. */
  credentialKind: 'basic' | 'identity-token' | 'anonymous'
  /** Refuse a realm whose host name is not the registry's (the port may differ). @default false */
  sameHostOnly?: boolean
}

/**
 * The Bearer challenge's realm, resolved against the registry URL (a relative realm such as
 * `/token` is legal). Throws `WT_REGISTRY_INSECURE_REALM` for a realm that downgrades https to
 * http while credentials would be sent, and, with `sameHostOnly`, for a realm on another host;
 * `WT_REGISTRY_PROTOCOL` for an unusable one.
 */
export function resolveRealm(o: ResolveRealmOptions): URL {
  const raw = o.challenge.params['realm'] ?? ''
  let realm: URL
  try {
    realm = new URL(raw, `${o.scheme}://${o.apiHost}/v2/`)
  } catch (cause) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `registry sent an unusable token realm "${raw}"`, {
      registry: o.registry,
      cause,
    })
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `token realm must be http(s), got "${raw}"`, {
      registry: o.registry,
    })
  }
  if (o.scheme === 'https' && realm.protocol === 'http:' && o.credentialKind !== 'anonymous') {
    throw new RegistryError(
      'WT_REGISTRY_INSECURE_REALM',
      `refusing to send credentials to a token realm that downgrades https to http: ${displayUrl(realm)}`,
      { registry: o.registry, url: displayUrl(realm) },
    )
  }
  // A realm on another host gets the Basic credentials (or the refresh token), as with Docker.
  // `sameHostOnly` refuses it; the port may differ (a token server beside the registry).
  if (
    o.sameHostOnly &&
    realm.hostname.toLowerCase() !== new URL(`${o.scheme}://${o.apiHost}`).hostname.toLowerCase()
  ) {
    throw new RegistryError(
      'WT_REGISTRY_INSECURE_REALM',
      `refusing a token realm on another host than the registry ${o.apiHost} (--registry-realm-same-host): ${displayUrl(realm)}`,
      { registry: o.registry, url: displayUrl(realm) },
    )
  }
  return realm
}

export interface TokenRequest {
  registry: string
  /** The resolved realm (`resolveRealm`). */
  realm: URL
  service: string | undefined
  /** E.g. `['repository:team/app:pull']`. */
  scopes: readonly string[]
  credentials: RegistryCredentialsLike
  /** `client_id` sent to the token server. */
  clientId: string
  now(): number
}

/** One request to the token server (the POST grant, then maybe the GET). Holds the answer: never log it whole. */
export interface TokenAttempt {
  method: 'GET' | 'POST'
  grant: 'basic' | 'refresh_token' | 'anonymous'
  status: number
  expiresIn?: number
  /** The answer as received (its body holds the token on success). */
  response: RegistryResponse
}

/**
 * Asks the token server for a token with the grant the credentials call for: the `refresh_token`
 * POST for an identity token (falling back to GET with Basic on 404/405), GET with Basic for a user
 * and password, GET without credentials for anonymous access. Each request is reported to
 * `onAttempt`. Throws `WT_REGISTRY_TOKEN_DENIED` (401/403), `WT_REGISTRY_RATE_LIMITED` (429),
 * `WT_REGISTRY_NETWORK` (5xx) or `WT_REGISTRY_PROTOCOL` (anything else, or an unreadable answer).
 */
export async function requestToken(
  send: Exchange,
  req: TokenRequest,
  onAttempt: (a: TokenAttempt) => void = () => {},
): Promise<FetchedTokenLike> {
  const creds = req.credentials
  if (creds.kind === 'identity-token') {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.secret() ?? '' })
    if (req.service !== undefined) form.set('service', req.service)
    form.set('client_id', req.clientId)
    if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '))
    const res = await send({
      method: 'POST',
      url: req.realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      kind: 'token',
      registry: req.registry,
      maxBodyBytes: BODY_LIMITS.token,
    })
    if (res.status !== 404 && res.status !== 405) {
      try {
        const token = readTokenResponse(res, req, 'POST')
        onAttempt({
          method: 'POST',
          grant: 'refresh_token',
          status: res.status,
          ...expiry(token),
          response: res,
        })
        return token
      } catch (err) {
        onAttempt({ method: 'POST', grant: 'refresh_token', status: res.status, response: res })
        throw err
      }
    }
    onAttempt({ method: 'POST', grant: 'refresh_token', status: res.status, response: res })
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
  const res = await send({
    method: 'GET',
    url,
    headers,
    kind: 'token',
    registry: req.registry,
    maxBodyBytes: BODY_LIMITS.token,
  })
  try {
    const token = readTokenResponse(res, req, 'GET')
    onAttempt({ method: 'GET', grant, status: res.status, ...expiry(token), response: res })
    return token
  } catch (err) {
    onAttempt({ method: 'GET', grant, status: res.status, response: res })
    throw err
  }
}

function expiry(token: FetchedTokenLike): { expiresIn?: number } {
  return token.expiresIn === undefined ? {} : { expiresIn: token.expiresIn }
}

/** Reads a token server's answer (see `requestToken` for the errors). Never quotes the body. */
export function readTokenResponse(
  res: RegistryResponse,
  req: Pick<TokenRequest, 'registry' | 'realm' | 'credentials' | 'now'>,
  method: 'GET' | 'POST',
): FetchedTokenLike {
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
