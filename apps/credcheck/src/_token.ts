import { BODY_LIMITS } from '@watchtower-ts/registry-client'
import { jwtDecode } from 'jwt-decode'
import { networkFailure, send } from './_net.ts'
import { CheckFailure } from './failures.ts'
import type { ProbeState } from './http-probe.ts'
import type { StepOutcome } from './probe.ts'

interface Access {
  type: string
  name: string
  actions: string[]
}

/** Step 5: the bearer token exchange (skipped for Basic and for registries that need no auth). */
export async function tokenStep(state: ProbeState): Promise<StepOutcome> {
  const ch = state.challenge
  const creds = state.credentials!
  const ref = state.ref!
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
  const realm = ch.params['realm']!
  const service = ch.params['service']
  const base = state.base!
  const realmUrl = new URL(realm, base)
  const scopes = [`repository:${ref.repository}:pull`]
  if (creds.kind !== 'anonymous' && base.protocol === 'https:' && realmUrl.protocol !== 'https:') {
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the registry sends credentials to a plain-HTTP realm (${realmUrl.origin}${realmUrl.pathname}); credcheck (like watchtower) refuses to send them there`,
      'configure the token server on https (auth.token.realm in the registry config)',
    )
  }
  const url = new URL(realmUrl)
  const init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string } = {
    method: 'GET',
    headers: {},
  }
  if (creds.kind === 'identity-token') {
    init.method = 'POST'
    init.headers['content-type'] = 'application/x-www-form-urlencoded'
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.secret() ?? '',
      client_id: 'credcheck',
    })
    if (service) form.set('service', service)
    form.set('scope', scopes.join(' '))
    init.body = form.toString()
  } else {
    if (service) url.searchParams.set('service', service)
    for (const s of scopes) url.searchParams.append('scope', s)
    if (creds.kind === 'basic') {
      url.searchParams.set('account', creds.username ?? '')
      init.headers['authorization'] = creds.basicAuthorization()!
    }
  }
  const who = `token server ${realmUrl.host}`
  let res: Awaited<ReturnType<typeof send>>
  try {
    const transport = await state.trust!.transportFor(realmUrl.host)
    res = await send(transport.dispatcher, url, init, state.options.timeoutMs, BODY_LIMITS.token)
  } catch (error) {
    throw networkFailure(error, {
      who,
      hostPort: realmUrl.host,
      tokenServer: true,
      trust: state.trustSources,
      now: state.options.now(),
    })
  }
  const details: Record<string, unknown> = {
    realm: `${realmUrl.origin}${realmUrl.pathname}`,
    service: service ?? null,
    scopes,
    method: init.method,
    account: creds.kind === 'anonymous' ? null : (creds.username ?? null),
    status: res.status,
  }
  const user = creds.username ? `user ${creds.username}` : 'the identity token'
  if (res.status === 401 || res.status === 403) {
    if (creds.kind === 'anonymous') {
      throw new CheckFailure(
        'WT_CREDCHECK_NO_CREDENTIALS',
        `the token server at ${details['realm']} refused an anonymous token for ${scopes.join(' ')} (${res.status}): the repository is private`,
        `log in: docker login ${ref.registry} (with DOCKER_CONFIG pointing at the same folder), or set REPO_USER/REPO_PASS`,
      )
    }
    throw new CheckFailure(
      res.status === 401 ? 'WT_CREDCHECK_TOKEN_DENIED' : 'WT_CREDCHECK_ACCESS_DENIED',
      res.status === 401
        ? `the token server at ${details['realm']} refused the credentials of ${user} (401): wrong user name or password (from ${creds.source.description})`
        : `the token server at ${details['realm']} denied ${user} any token for ${scopes.join(' ')} (403)`,
      res.status === 401
        ? `fix the password: docker login ${ref.registry} again, or correct ${creds.source.kind === 'env' ? 'REPO_USER/REPO_PASS' : creds.source.description}`
        : `ask the registry admin to grant ${user} pull on ${ref.repository}`,
    )
  }
  if (res.status !== 200) {
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the token server at ${details['realm']} answered ${res.status} to the token request`,
      'check the token server logs and the realm/service the registry advertises',
    )
  }
  let body: {
    token?: unknown
    access_token?: unknown
    expires_in?: unknown
    issued_at?: unknown
    refresh_token?: unknown
  }
  try {
    body = JSON.parse(res.body.toString('utf8'))
  } catch {
    // No `cause`: V8's SyntaxError quotes the body, which may be a bare token.
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the token server at ${details['realm']} answered 200 with a body of ${res.body.length} bytes that is not JSON`,
      'check the token server',
    )
  }
  const token =
    typeof body.token === 'string' && body.token
      ? body.token
      : typeof body.access_token === 'string'
        ? body.access_token
        : ''
  if (typeof body.refresh_token === 'string') state.secrets.push(body.refresh_token)
  if (!token) {
    throw new CheckFailure(
      'WT_CREDCHECK_PROTOCOL',
      `the token server at ${details['realm']} answered 200 without "token" or "access_token"`,
      'check the token server',
    )
  }
  state.secrets.push(token)
  state.authorization = `Bearer ${token}`
  details['expiresIn'] = typeof body.expires_in === 'number' ? body.expires_in : null
  details['issuedAt'] = typeof body.issued_at === 'string' ? body.issued_at : null
  const notes: string[] = []
  let granted: Access[] | null = null
  try {
    const claims = jwtDecode<{
      access?: unknown
      exp?: number
      iss?: string
      aud?: string | string[]
      sub?: string
    }>(token)
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
    summary: `${init.method} ${details['realm']} scope ${scopes.join(' ')} as ${creds.kind === 'anonymous' ? 'anonymous' : user} → 200, ${expiry}, ${grantText}`,
    details,
    notes,
  }
}
