import { createHash } from 'node:crypto'
import {
  BODY_LIMITS,
  isAttestation,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  parseRateLimit,
} from '@watchtower-ts/registry-client'
import { crossCheck } from './_cross-check.ts'
import { header, networkFailure, type SimpleResponse, send } from './_net.ts'
import { CheckFailure } from './failures.ts'
import type { ProbeState } from './http-probe.ts'
import type { StepOutcome } from './probe.ts'

function registryErrorCode(res: SimpleResponse): string | undefined {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string }[] }
    return body.errors?.[0]?.code
  } catch {
    return undefined
  }
}

/** Step 6: HEAD the manifest with the full Accept list (GET only for an index's platforms or a missing digest). */
export async function manifestStep(state: ProbeState): Promise<StepOutcome> {
  const ref = state.ref!
  const creds = state.credentials!
  const reference = ref.digest ?? ref.tag ?? 'latest'
  const url = new URL(`/v2/${ref.repository}/manifests/${reference}`, state.base)
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT.join(', ') }
  if (state.authorization) headers['authorization'] = state.authorization
  const request = async (method: 'HEAD' | 'GET', target: URL) => {
    try {
      return await send(state.dispatcher!, target, { method, headers }, state.options.timeoutMs)
    } catch (error) {
      throw networkFailure(error, {
        who: `registry ${state.base!.host}`,
        hostPort: state.base!.host,
        trust: state.trustSources,
        now: state.options.now(),
      })
    }
  }
  const res = await request('HEAD', url)
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
  if (res.status === 404) throw await notFound(state, url, headers)
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
  const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim()
  let digest = header(res, 'docker-content-digest')
  let platforms: IndexEntry['platform'][] | null = null
  let childDigests: string[] = []
  const notes: string[] = []
  if (!digest || isIndexMediaType(mediaType)) {
    const got = await request('GET', url)
    if (got.status !== 200) {
      throw new CheckFailure(
        'WT_CREDCHECK_PROTOCOL',
        `GET ${url.href} → ${got.status} after HEAD → 200`,
        'check the registry logs',
      )
    }
    if (!digest) {
      digest = `sha256:${createHash('sha256').update(got.body).digest('hex')}`
      notes.push('no Docker-Content-Digest header: digest computed from the manifest bytes (GET)')
    }
    if (isIndexMediaType(mediaType)) {
      const entries = indexEntries(got.body)
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
  const cross = state.trust ? await crossCheck(state, state.resolver) : undefined
  if (!cross) notes.push("no trust store: watchtower's registry client was not run for comparison")
  else if (cross.agrees) notes.push(`watchtower's registry client agrees: ${cross.digest}`)
  else
    notes.push(
      cross.error
        ? `watchtower's registry client fails where this check passed: ${cross.error}`
        : `watchtower's registry client sees another digest: ${cross.digest}`,
    )
  notes.push(...(cross?.events ?? []).map((e) => `registry client: ${e}`))
  return {
    status: cross && !cross.agrees ? 'warning' : 'ok',
    summary: `HEAD ${url.href} → 200, ${digest}, ${mediaType || '(no media type)'}${platformText}`,
    details: { url: url.href, status: res.status, digest, mediaType, platforms, crossCheck: cross ?? null },
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
async function notFound(state: ProbeState, url: URL, headers: Record<string, string>): Promise<CheckFailure> {
  const ref = state.ref!
  const tagsUrl = new URL(`/v2/${ref.repository}/tags/list?n=20`, state.base)
  let tags: string[] | undefined
  let code: string | undefined
  try {
    const res = await send(
      state.dispatcher!,
      tagsUrl,
      { method: 'GET', headers },
      state.options.timeoutMs,
      BODY_LIMITS.listing,
    )
    code = registryErrorCode(res)
    if (res.status === 200) {
      const body = JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null }
      tags = body.tags ?? []
    }
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
