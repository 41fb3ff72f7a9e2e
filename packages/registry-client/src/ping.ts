/**
 * `GET /v2/`: is this a registry, and which challenge does it send (none, Basic, Bearer)?
 *
 * HTTPS first; when plain HTTP is allowed (loopback or a listed insecure registry, like dockerd) and
 * HTTPS fails at the connection or TLS level, HTTP is tried. Only a registry's own answer (200 or
 * 401) over HTTP is taken: an HTTPS-only server answering plain HTTP with 400 keeps the TLS error.
 */
import { BODY_LIMITS } from './body.ts'
import { type Challenge, parseChallenges, pickChallenge } from './challenge.ts'
import { isRegistryError } from './errors.ts'
import type { Exchange, RegistryRequest, RegistryResponse } from './exchange.ts'

export interface PingOptions {
  /** Registry name (errors, events), e.g. `docker.io`. */
  registry: string
  /** Host and port the API is served on, e.g. `registry-1.docker.io` or `127.0.0.1:5000`. */
  apiHost: string
  /** Only this scheme. @default https, then http when `allowHttp` says so */
  scheme?: 'https' | 'http'
  /** Whether plain HTTP may be tried after HTTPS failed (tls's `RegistryTransport.allowHttp`). @default false */
  allowHttp?: boolean | (() => boolean | Promise<boolean>)
  /** Told when HTTPS failed and HTTP is tried, with the HTTPS error. */
  onFallback?: (error: unknown) => void
}

export interface PingResult {
  scheme: 'https' | 'http'
  /** The answer, whatever its status (200: open, 401: see `challenge`). */
  response: RegistryResponse
  /** Every challenge of `WWW-Authenticate` (empty for an open registry). */
  challenges: Challenge[]
  /** The challenge to answer (Bearer over Basic); undefined when there is none. */
  challenge: Challenge | undefined
}

/** The `GET /v2/` request for a base URL such as `https://127.0.0.1:5000`. */
export function pingRequest(registry: string, base: URL | string): RegistryRequest {
  return {
    method: 'GET',
    url: new URL('/v2/', base),
    headers: {},
    kind: 'ping',
    registry,
    maxBodyBytes: BODY_LIMITS.ping,
  }
}

const FALLBACK_CODES = new Set(['WT_REGISTRY_TLS', 'WT_REGISTRY_NETWORK', 'WT_REGISTRY_TIMEOUT'])

/** Pings the registry; throws only when no usable answer came (the exchange's error). */
export async function ping(send: Exchange, options: PingOptions): Promise<PingResult> {
  const once = (scheme: 'https' | 'http') =>
    send(pingRequest(options.registry, `${scheme}://${options.apiHost}`))
  let response: RegistryResponse
  let scheme: 'https' | 'http' = options.scheme ?? 'https'
  try {
    response = await once(scheme)
  } catch (err) {
    if (options.scheme !== undefined || !isRegistryError(err) || !FALLBACK_CODES.has(err.code)) throw err
    const allow = typeof options.allowHttp === 'function' ? await options.allowHttp() : options.allowHttp
    if (!allow) throw err
    options.onFallback?.(err)
    const plain = await once('http').catch(() => undefined)
    if (!plain || (plain.status !== 200 && plain.status !== 401)) throw err
    response = plain
    scheme = 'http'
  }
  const challenges = parseChallenges(response.headers['www-authenticate'])
  return {
    scheme,
    response,
    challenges,
    challenge: response.status === 401 ? pickChallenge(challenges) : undefined,
  }
}
