/**
 * Steps 4 to 7: the registry protocol, each step one call of registry-client's own functions (the
 * ones watchtower's client is built from) over an exchange without retries, and what credcheck
 * adds: the outcome explained, with its cause and fix.
 */
import type { Challenge, RegistryResponse, TokenAttempt } from '@watchtower-ts/registry-client'
import {
  fetchManifest,
  isAttestation,
  isIndexMediaType,
  isRegistryError,
  parseRateLimit,
  ping,
  readTagsPage,
  registryErrorCode,
  requestToken,
  resolveRealm,
  tagsRequest,
} from '@watchtower-ts/registry-client'
import { jwtDecode } from 'jwt-decode'
import type { ProbeState } from './_state.ts'
import { networkFailure } from './explain.ts'
import { CheckFailure } from './failures.ts'
import type { StepOutcome } from './probe.ts'

function header(res: RegistryResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

const registryCtx = (state: ProbeState) => ({
  who: `registry ${state.base!.host}`,
  hostPort: state.base!.host,
  trust: state.trustSources,
  now: state.options.now(),
  ...(state.certificate ? { certificate: state.certificate } : {}),
})

// --- step 4: ping -----------------------------------------------------------------------------

/** Step 4: `GET /v2/` without credentials and the challenge it answers with. */
export async function pingStep(state: ProbeState): Promise<StepOutcome> {
  const base = state.base!
  let result = state.ping
  if (!result) {
    try {
      result = await ping(state.send!, {
        registry: state.ref!.registry,
        apiHost: base.host,
        scheme: base.protocol === 'http:' ? 'http' : 'https',
      })
    } catch (error) {
      throw networkFailure(error, registryCtx(state))
    }
  }
  const res = result.response
  const url = res.url
  const details = {
    url: url.href,
    status: res.status,
    apiVersion: header(res, 'docker-distribution-api-version') ?? null,
    challenges: result.challenges.map((c) => ({
      scheme: c.scheme,
      realm: c.params['realm'] ?? null,
      service: c.params['service'] ?? null,
      scope: c.params['scope'] ?? null,
    })),
  }
  if (res.status === 200) {
    return {
      status: 'ok',
      summary: `GET ${url.href} → 200: the registry asks for no authentication`,
      details,
    }
  }
  if (res.status === 401) {
    const picked = result.challenge
    if (!picked) {
      const raw = res.headers['www-authenticate']
      throw new CheckFailure(
        'WT_CREDCHECK_PROTOCOL',
        `GET ${url.href} → 401 without a usable WWW-Authenticate challenge (${raw === undefined ? 'no header' : JSON.stringify(raw)})`,
        'the registry (or a proxy in front of it) must answer 401 with `WWW-Authenticate: Bearer realm=...` or `Basic realm=...`; check its auth configuration',
      )
    }
    state.challenge = picked
    const p = picked.params
    const text =
      picked.scheme === 'bearer'
        ? `Bearer realm="${p['realm']}"${p['service'] ? ` service="${p['service']}"` : ''}`
        : `Basic realm="${p['realm'] ?? ''}"`
    return { status: 'ok', summary: `GET ${url.href} → 401, challenge ${text}`, details }
  }
  if (res.status === 429) {
    throw new CheckFailure(
      'WT_CREDCHECK_RATE_LIMITED',
      `GET ${url.href} → 429: the registry is rate limiting this client`,
      `wait${header(res, 'retry-after') ? ` ${header(res, 'retry-after')} s (Retry-After)` : ''} and try again; log in to get a higher limit`,
    )
  }
  throw new CheckFailure(
    'WT_CREDCHECK_PROTOCOL',
    res.status === 404
      ? `GET ${url.href} → 404: this is not a Docker Registry HTTP API v2 endpoint`
      : `GET ${url.href} → ${res.status}: unexpected answer to the API version check`,
    res.status === 404
      ? 'check the host and port in the image reference (a registry answers /v2/ with 200 or 401)'
      : 'check the registry logs; a proxy in front of it may be failing',
  )
}

// --- step 5: token ----------------------------------------------------------------------------

interface TokenPlan {
  challenge: Challenge
  realm: URL
  /** `origin + path` of the realm (never its query). */
  realmText: string
  service: string | undefined
  scopes: string[]
}

/** Step 5: the bearer token exchange (skipped for Basic and for registries that need no auth). */
export async function tokenStep(state: ProbeState): Promise<StepOutcome> {
  const plan = planToken(state)
  if (!('realm' in plan)) return plan
  const { attempts, token, route } = await fetchToken(state, plan)
  return describeToken(state, plan, attempts, token, route)
}

/** Which token, if any: none for an open registry or Basic auth; else the realm, service and scope. */
function planToken(state: ProbeState): TokenPlan | StepOutcome {
  const ch = state.challenge
  const creds = state.credentials!
  if (!ch)
    return { status: 'skipped', summary: 'no token needed: /v2/ asked for no authentication', details: {} }
  if (ch.scheme === 'basic') {
    if (creds.kind === 'basic') {
      state.authorization = creds.basicAuthorization()!
      return {
        status: 'skipped',
        summary: `no token: the registry uses Basic auth; the credentials of user ${creds.username} are sent with each request`,
        details: { scheme: 'basic', realm: ch.params['realm'] ?? null },
      }
    }
    return {
      status: 'skipped',
      summary: `no token: the registry uses Basic auth and ${creds.kind === 'anonymous' ? 'there are no credentials to send' : 'an identity token cannot be sent as Basic auth'}`,
      details: { scheme: 'basic', realm: ch.params['realm'] ?? null },
    }
  }
  const base = state.base!
  let realm: URL
  try {
    realm = resolveRealm({
      challenge: ch,
      registry: state.ref!.registry,
      scheme: base.protocol === 'http:' ? 'http' : 'https',
      apiHost: base.host,
      credentialKind: creds.kind,
    })
  } catch (error) {
    if (isRegistryError(error, 'WT_REGISTRY_INSECURE_REALM')) {
      const u = new URL(ch.params['realm'] ?? '', base)
      throw new CheckFailure(
        'WT_CREDCHECK_PROTOCOL',
        `the registry sends credentials to a plain-HTTP realm (${u.origin}${u.pathname}); credcheck (like watchtower) refuses to send them there`,
        'configure the token server on https (auth.token.realm in the registry config)',
      )
    }
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the registry's Bearer challenge names no usable token realm: ${(error as Error).message}`,
      'check auth.token.realm in the registry config',
      { cause: error },
    )
  }
  return {
    challenge: ch,
    realm,
    realmText: `${realm.origin}${realm.pathname}`,
    service: ch.params['service'],
    scopes: [`repository:${state.ref!.repository}:pull`],
  }
}

/** registry-client's `requestToken` (every grant, POST→GET fallback), its failures explained. */
async function fetchToken(
  state: ProbeState,
  plan: TokenPlan,
): Promise<{
  attempts: TokenAttempt[]
  token: { token: string; expiresIn?: number; issuedAt?: string }
  route: string | undefined
}> {
  const creds = state.credentials!
  const ref = state.ref!
  const attempts: TokenAttempt[] = []
  let route: string | undefined
  try {
    const transport = await state.trust!.transportFor(plan.realm.host)
    route = plan.realm.protocol === 'http:' ? transport.proxy.http : transport.proxy.https
    const token = await requestToken(
      state.send!,
      {
        registry: ref.registry,
        realm: plan.realm,
        service: plan.service,
        scopes: plan.scopes,
        credentials: creds,
        clientId: 'credcheck',
        now: state.options.now,
      },
      (a) => attempts.push(a),
    )
    state.secrets.push(token.token)
    if (token.refreshToken) state.secrets.push(token.refreshToken)
    return { attempts, token, route }
  } catch (error) {
    const last = attempts.at(-1)
    if (!isRegistryError(error) || last === undefined || error.code === 'WT_REGISTRY_BODY_TOO_LARGE') {
      throw networkFailure(error, {
        who: `token server ${plan.realm.host}`,
        hostPort: plan.realm.host,
        tokenServer: true,
        trust: state.trustSources,
        now: state.options.now(),
      })
    }
    throw tokenFailure(state, plan, last)
  }
}

/** The token server answered, but not with a token: why, and what to do. */
function tokenFailure(state: ProbeState, plan: TokenPlan, last: TokenAttempt): CheckFailure {
  const creds = state.credentials!
  const ref = state.ref!
  const status = last.status
  const user = creds.username ? `user ${creds.username}` : 'the identity token'
  if (status === 401 || status === 403) {
    if (creds.kind === 'anonymous') {
      return new CheckFailure(
        'WT_CREDCHECK_NO_CREDENTIALS',
        `the token server at ${plan.realmText} refused an anonymous token for ${plan.scopes.join(' ')} (${status}): the repository is private`,
        `log in: docker login ${ref.registry} (with DOCKER_CONFIG pointing at the same folder), or set REPO_USER/REPO_PASS`,
      )
    }
    return new CheckFailure(
      status === 401 ? 'WT_CREDCHECK_TOKEN_DENIED' : 'WT_CREDCHECK_ACCESS_DENIED',
      status === 401
        ? `the token server at ${plan.realmText} refused the credentials of ${user} (401): wrong user name or password (from ${creds.source.description})`
        : `the token server at ${plan.realmText} denied ${user} any token for ${plan.scopes.join(' ')} (403)`,
      status === 401
        ? `fix the password: docker login ${ref.registry} again, or correct ${creds.source.kind === 'env' ? 'REPO_USER/REPO_PASS' : creds.source.description}`
        : `ask the registry admin to grant ${user} pull on ${ref.repository}`,
    )
  }
  if (status !== 200) {
    return new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the token server at ${plan.realmText} answered ${status} to the token request`,
      'check the token server logs and the realm/service the registry advertises',
    )
  }
  const body = last.response.body
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    // No `cause`: V8's SyntaxError quotes the body, which may be a bare token.
    return new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the token server at ${plan.realmText} answered 200 with a body of ${body.length} bytes that is not JSON`,
      'check the token server',
    )
  }
  const o = (json ?? {}) as { token?: unknown; access_token?: unknown }
  return new CheckFailure(
    'WT_CREDCHECK_PROTOCOL',
    o.token || o.access_token
      ? `the token server at ${plan.realmText} answered 200 with a token response that does not follow the token spec (a field of the wrong type)`
      : `the token server at ${plan.realmText} answered 200 without "token" or "access_token"`,
    'check the token server',
  )
}

interface Access {
  type: string
  name: string
  actions: string[]
}

/** What the token grants (decoded from the JWT for diagnosis; never verified), and its lifetime. */
function describeToken(
  state: ProbeState,
  plan: TokenPlan,
  attempts: TokenAttempt[],
  got: { token: string; expiresIn?: number; issuedAt?: string },
  route: string | undefined,
): StepOutcome {
  const creds = state.credentials!
  const ref = state.ref!
  const last = attempts.at(-1)!
  const user = creds.username ? `user ${creds.username}` : 'the identity token'
  state.authorization = `Bearer ${got.token}`
  const details: Record<string, unknown> = {
    realm: plan.realmText,
    service: plan.service ?? null,
    scopes: plan.scopes,
    method: last.method,
    attempts: attempts.map((a) => ({ method: a.method, grant: a.grant, status: a.status })),
    account: creds.kind === 'anonymous' ? null : (creds.username ?? null),
    status: last.status,
    proxy: route ?? null,
    expiresIn: got.expiresIn ?? null,
    issuedAt: got.issuedAt ?? null,
  }
  const notes: string[] = []
  if (attempts.length > 1)
    notes.push(
      `the token server answered the refresh_token POST with ${attempts[0]!.status}: asked again with GET and Basic auth, as watchtower does`,
    )
  let granted: Access[] | null = null
  try {
    const claims = jwtDecode<{
      access?: unknown
      exp?: number
      iss?: string
      aud?: string | string[]
      sub?: string
    }>(got.token)
    granted = Array.isArray(claims.access) ? (claims.access as Access[]) : []
    details['claims'] = {
      iss: claims.iss ?? null,
      sub: claims.sub ?? null,
      aud: claims.aud ?? null,
      exp: claims.exp ?? null,
    }
  } catch {
    notes.push('the token is not a JWT (opaque to clients): its granted access cannot be shown')
  }
  details['granted'] = granted
  const pull =
    granted?.some(
      (a) =>
        a.type === 'repository' &&
        a.name === ref.repository &&
        (a.actions.includes('pull') || a.actions.includes('*')),
    ) ?? null
  state.grantedPull = pull ?? undefined
  const grantText =
    granted === null
      ? 'granted access unknown (opaque token)'
      : granted.length === 0
        ? 'granted NOTHING'
        : `granted ${granted.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ')}`
  const expiry =
    details['expiresIn'] === null ? 'no expires_in (60 s assumed)' : `expires_in ${details['expiresIn']} s`
  if (pull === false)
    notes.push(`the token does not grant pull on ${ref.repository}: the registry will refuse the manifest`)
  return {
    status: pull === false ? 'warning' : 'ok',
    summary: `${last.method} ${plan.realmText}${route?.startsWith('via ') ? ` (${route})` : ''} scope ${plan.scopes.join(' ')} as ${creds.kind === 'anonymous' ? 'anonymous' : user} → 200, ${expiry}, ${grantText}`,
    details,
    notes,
  }
}

// --- step 6: manifest -------------------------------------------------------------------------

/** Step 6: HEAD the manifest with the full Accept list (GET only for an index's platforms or a missing digest). */
export async function manifestStep(state: ProbeState): Promise<StepOutcome> {
  const ref = state.ref!
  const creds = state.credentials!
  const reference = ref.digest ?? ref.tag ?? 'latest'
  const request = async (method: 'HEAD' | 'GET') => {
    try {
      return await fetchManifest(state.send!, {
        registry: ref.registry,
        base: state.base!,
        repository: ref.repository,
        reference,
        method,
        ...(state.authorization ? { authorization: state.authorization } : {}),
      })
    } catch (error) {
      throw networkFailure(error, { ...registryCtx(state), certificate: undefined })
    }
  }
  const head = await request('HEAD')
  const res = head.response
  const url = res.url
  state.manifestResponse = res
  const who = creds.kind === 'anonymous' ? 'anonymous' : `user ${creds.username ?? '(identity token)'}`
  if (res.status === 401 || res.status === 403) {
    const basic = state.challenge?.scheme === 'basic'
    if (creds.kind === 'anonymous') {
      throw new CheckFailure(
        'WT_CREDCHECK_NO_CREDENTIALS',
        `HEAD ${url.href} → ${res.status}: ${ref.repository} needs credentials and none were found for ${ref.registry}`,
        `log in: docker login ${ref.registry} (with DOCKER_CONFIG pointing at the same folder), or set REPO_USER/REPO_PASS`,
      )
    }
    if (basic && res.status === 401) {
      throw new CheckFailure(
        'WT_CREDCHECK_CREDENTIALS_REFUSED',
        `HEAD ${url.href} → 401: the registry refused the credentials of ${who} (from ${creds.source.description}): wrong user name or password`,
        `fix the password: docker login ${ref.registry} again, or correct ${creds.source.kind === 'env' ? 'REPO_USER/REPO_PASS' : creds.source.description}`,
      )
    }
    throw new CheckFailure(
      'WT_CREDCHECK_ACCESS_DENIED',
      `HEAD ${url.href} → ${res.status}: ${who} is not allowed to pull ${ref.repository}${state.grantedPull === false ? ' (the token granted no pull on it)' : ''}`,
      `ask the registry admin to grant ${who} pull on ${ref.repository}, or use credentials that have it`,
    )
  }
  if (res.status === 404) throw await notFound(state, url)
  if (res.status === 429) {
    const retry = header(res, 'retry-after')
    throw new CheckFailure(
      'WT_CREDCHECK_RATE_LIMITED',
      `HEAD ${url.href} → 429: the registry's rate limit is exhausted${retry ? ` (Retry-After ${retry})` : ''}`,
      'wait for the window to reset; log in (authenticated users get a higher limit) or use a pull-through mirror',
    )
  }
  if (res.status !== 200) {
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `HEAD ${url.href} → ${res.status}: unexpected answer`,
      'check the registry logs',
    )
  }
  const mediaType = head.mediaType
  let digest = head.digest
  let platforms: IndexEntry['platform'][] | null = null
  let childDigests: string[] = []
  const notes: string[] = []
  if (!digest || isIndexMediaType(mediaType)) {
    const got = await request('GET')
    if (got.response.status !== 200) {
      throw new CheckFailure(
        'WT_CREDCHECK_PROTOCOL',
        `GET ${url.href} → ${got.response.status} after HEAD → 200`,
        'check the registry logs',
      )
    }
    if (!digest) {
      digest = got.digest!
      notes.push('no Docker-Content-Digest header: digest computed from the manifest bytes (GET)')
    }
    if (isIndexMediaType(mediaType)) {
      const entries = indexEntries(got.response.body)
      platforms = entries.filter((d) => !isAttestation(d) && d.platform).map((d) => d.platform!)
      childDigests = entries.map((d) => d.digest)
    }
  }
  state.remote = { digest, mediaType, childDigests }
  const platformText = platforms
    ? `, platforms ${platforms
        .map((p) => p!)
        .map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`)
        .join(' ')}`
    : ''
  return {
    status: 'ok',
    summary: `HEAD ${url.href} → 200, ${digest}, ${mediaType || '(no media type)'}${platformText}`,
    // crossCheck: null since the requests are registry-client's own (kept for schema version 1)
    details: { url: url.href, status: res.status, digest, mediaType, platforms, crossCheck: null },
    notes,
  }
}

interface IndexEntry {
  digest: string
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

/** The `manifests` of an OCI index / Docker manifest list (invalid entries dropped). */
function indexEntries(body: Buffer): IndexEntry[] {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { manifests?: unknown }
    if (!Array.isArray(doc.manifests)) return []
    return doc.manifests.filter(
      (m): m is IndexEntry =>
        typeof m === 'object' && m !== null && typeof (m as IndexEntry).digest === 'string',
    )
  } catch {
    return []
  }
}

/** 404: tell a missing repository from a missing tag (distribution answers MANIFEST_UNKNOWN for both). */
async function notFound(state: ProbeState, url: URL): Promise<CheckFailure> {
  const ref = state.ref!
  let tags: string[] | undefined
  let code: string | undefined
  try {
    const res = await state.send!(
      tagsRequest({
        registry: ref.registry,
        base: state.base!,
        repository: ref.repository,
        pageSize: 20,
        ...(state.authorization ? { authorization: state.authorization } : {}),
      }),
    )
    code = registryErrorCode(res)
    if (res.status === 200) tags = readTagsPage(res, ref).tags
  } catch {
    // the 404 stands; only the distinction is lost
  }
  if (tags === undefined || tags.length === 0) {
    return new CheckFailure(
      'WT_CREDCHECK_REPOSITORY_NOT_FOUND',
      `HEAD ${url.href} → 404: repository ${ref.repository} does not exist on ${ref.registry}${code ? ` (${code})` : ''}`,
      `check the repository path (on Docker Hub, official images are library/NAME); push the image first if it is new`,
    )
  }
  const what = ref.digest ? `manifest ${ref.digest}` : `tag ${ref.tag}`
  return new CheckFailure(
    'WT_CREDCHECK_TAG_NOT_FOUND',
    `HEAD ${url.href} → 404: repository ${ref.repository} exists, but ${what} does not (tags: ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', ...' : ''})`,
    `use one of the existing tags, or push ${ref.repository}:${ref.tag ?? '<tag>'}`,
  )
}

// --- step 7: rate limit -----------------------------------------------------------------------

/** Step 7: rate-limit headers of the manifest answer (Docker Hub style), when present. */
export function rateLimitStep(state: ProbeState): StepOutcome {
  const res = state.manifestResponse!
  const info = parseRateLimit(res.headers)
  const source = header(res, 'docker-ratelimit-source') ?? null
  if (!info) {
    return {
      status: 'skipped',
      summary: 'no rate-limit headers (no limit announced)',
      details: { limit: null, remaining: null, windowSeconds: null, source },
    }
  }
  const window = info.windowSeconds ? ` per ${info.windowSeconds} s` : ''
  const low = info.remaining !== undefined && info.remaining <= 5
  return {
    status: low ? 'warning' : 'ok',
    summary: `remaining ${info.remaining ?? '?'} of ${info.limit ?? '?'}${window}${source ? ` (counted for ${source})` : ''}`,
    details: {
      limit: info.limit ?? null,
      remaining: info.remaining ?? null,
      windowSeconds: info.windowSeconds ?? null,
      source,
    },
    notes: low ? ['few pulls left in this window: a pull now may be refused with 429'] : [],
  }
}
