/**
 * `GET /v2/` — once per registry per cycle. HTTPS first; when the transport allows plain HTTP
 * (loopback or a listed insecure registry, like dockerd) and HTTPS fails at the connection or TLS
 * level, HTTP is tried. Only a registry's own answer (200 or 401) over HTTP is taken: an HTTPS-only
 * server answering plain HTTP with 400 keeps the original TLS error.
 */
import type { HttpResponse } from './_http.ts'
import { displayUrl } from './_http.ts'
import type { SessionContext } from './_session.ts'
import { statusError } from './_status.ts'
import { BODY_LIMITS } from './body.ts'
import { type Challenge, parseChallenges, pickChallenge } from './challenge.ts'
import { isRegistryError, RegistryError } from './errors.ts'

export interface PingResult {
  scheme: 'https' | 'http'
  /** The challenge to answer; undefined for an open registry. */
  challenge: Challenge | undefined
}

const FALLBACK_CODES = new Set(['WT_REGISTRY_TLS', 'WT_REGISTRY_NETWORK', 'WT_REGISTRY_TIMEOUT'])

export async function pingRegistry(
  ctx: SessionContext,
  registry: string,
  apiHost: string,
): Promise<PingResult> {
  const once = (scheme: 'https' | 'http') =>
    ctx.http.send({
      method: 'GET',
      url: new URL(`${scheme}://${apiHost}/v2/`),
      headers: {},
      kind: 'ping',
      registry,
      maxBodyBytes: BODY_LIMITS.ping,
    })
  let res: HttpResponse
  let scheme: 'https' | 'http' = 'https'
  try {
    res = await once('https')
  } catch (err) {
    const fallback = isRegistryError(err) && FALLBACK_CODES.has(err.code) && (await ctx.allowHttp(apiHost))
    if (!fallback) throw err
    ctx.emit({ type: 'scheme-fallback', registry, from: 'https', to: 'http', reason: err.message })
    const plain = await once('http').catch(() => undefined)
    if (!plain || (plain.status !== 200 && plain.status !== 401)) throw err
    res = plain
    scheme = 'http'
  }
  const challenges = parseChallenges(res.headers['www-authenticate'])
  ctx.emit({ type: 'ping', registry, url: displayUrl(res.url), status: res.status, challenges })
  if (res.status === 200) return { scheme, challenge: undefined }
  if (res.status === 401) return { scheme, challenge: pickChallenge(challenges) }
  if (res.status === 404) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `not a registry v2 API (404 on /v2/): GET ${displayUrl(res.url)}`,
      {
        registry,
        url: displayUrl(res.url),
        method: 'GET',
        status: 404,
      },
    )
  }
  throw statusError(registry, 'the registry API (/v2/)', undefined, 'GET', res, ctx.now)
}
