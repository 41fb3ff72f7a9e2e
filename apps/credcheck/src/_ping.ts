import { BODY_LIMITS, parseChallenges, pickChallenge } from '@watchtower-ts/registry-client'
import { header, networkFailure, send } from './_net.ts'
import { CheckFailure } from './failures.ts'
import type { ProbeState } from './http-probe.ts'
import type { StepOutcome } from './probe.ts'

export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Step 4: `GET /v2/` without credentials and the challenge it answers with. */
export async function pingStep(state: ProbeState): Promise<StepOutcome> {
  const base = state.base!
  const url = new URL('/v2/', base)
  let res = state.pingResponse
  if (!res) {
    try {
      res = await send(state.dispatcher!, url, { method: 'GET' }, state.options.timeoutMs, BODY_LIMITS.ping)
    } catch (error) {
      throw networkFailure(error, {
        who: `registry ${base.host}`,
        hostPort: base.host,
        trust: state.trustSources,
        now: state.options.now(),
        ...(state.certificate ? { certificate: state.certificate } : {}),
      })
    }
  }
  const apiVersion = header(res, 'docker-distribution-api-version') ?? null
  const raw = res.headers['www-authenticate']
  const challenges = parseChallenges(raw).map((c) => ({ scheme: c.scheme, params: { ...c.params } }))
  const details = {
    url: url.href,
    status: res.status,
    apiVersion,
    challenges: challenges.map((c) => ({
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
    const picked = pickChallenge(challenges)
    if (!picked) {
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
