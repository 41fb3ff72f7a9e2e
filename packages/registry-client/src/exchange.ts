/**
 * One HTTP exchange with a registry or token server, and the policies around it as interceptors.
 *
 * An `Exchange` sends one request over an injected undici Dispatcher and reads the whole answer
 * (bounded per kind, one total deadline, body included). Policies are functions from an exchange to
 * an exchange (the shape of undici's `dispatch => dispatch` interceptors, one level up: they see whole
 * answers, so a retry can read `Retry-After` and a redirect can decide what to drop):
 *
 *   const send = composeExchange(createExchange({ dispatcherFor }), retry({ maxRetries: 2 }), redirect())
 *
 * The registry client composes per-host limits, counters, retries and redirects this way; a
 * diagnostic (credcheck) leaves the retries out and sees every first answer as it was.
 */
import type { Buffer } from 'node:buffer'
import pLimit, { type LimitFunction } from 'p-limit'
import type { Dispatcher } from 'undici'
import { classifyNetworkError, describeCause, proxyRefusal } from './_net-errors.ts'
import { displayUrl } from './_url.ts'
import { BODY_LIMITS, readBoundedBody } from './body.ts'
import { RegistryError, type RegistryErrorCode } from './errors.ts'
import { firstHeader, parseRetryAfter } from './rate-limit.ts'

export { displayUrl }

export type RequestKind = 'ping' | 'token' | 'manifest-head' | 'manifest-get' | 'tags-list' | 'blob'

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: string
  /** What the request is for (counters, body caps). */
  kind: RequestKind
  /** Registry this request is for (error messages, events). */
  registry: string
  /** Maximum body bytes kept (default `BODY_LIMITS.manifest`); larger bodies fail with WT_REGISTRY_BODY_TOO_LARGE. */
  maxBodyBytes?: number
}

export interface RegistryResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** Final URL after redirects. */
  url: URL
}

/** Sends one request and returns the answer whatever its status; throws only when there is no answer. */
export type Exchange = (req: RegistryRequest) => Promise<RegistryResponse>
/** A policy around an exchange (retries, redirects, limits, counters). */
export type ExchangeInterceptor = (next: Exchange) => Exchange

/** Wraps `exchange` in `interceptors`, the first innermost: `composeExchange(base, retry(), redirect())` retries each hop. */
export function composeExchange(exchange: Exchange, ...interceptors: ExchangeInterceptor[]): Exchange {
  return interceptors.reduce<Exchange>((next, interceptor) => interceptor(next), exchange)
}

export interface CreateExchangeOptions {
  /** The dispatcher for a URL (a tls `TrustStore`'s `transportFor(url.host).dispatcher`, a MockAgent...). */
  dispatcherFor(url: URL): Dispatcher | Promise<Dispatcher>
  /** Explains a failed HTTPS request as a TLS problem (tls's `TrustStore.explain`). */
  explainTls?(url: URL, error: unknown): { message: string } | undefined
  /** @default 'watchtower-ts' */
  userAgent?: string
  /** Total deadline of the exchange, answer included, in ms. @default 30000 */
  timeoutMs?: number
}

const transient = new WeakSet<RegistryError>()

/**
 * True for the error of an exchange that got no answer because of the network (refused, reset,
 * DNS, timeout): worth another attempt. TLS failures and over-large answers are not.
 */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof RegistryError && transient.has(error)
}

/**
 * The plain exchange: one request, no retry, no redirect. A failure without an answer becomes a
 * `RegistryError` (`WT_REGISTRY_TLS`, `WT_REGISTRY_TIMEOUT`, `WT_REGISTRY_NETWORK`) whose `cause` is
 * what undici or Node threw.
 */
export function createExchange(options: CreateExchangeOptions): Exchange {
  const timeoutMs = options.timeoutMs ?? 30_000
  const userAgent = options.userAgent ?? 'watchtower-ts'
  return async (req) => {
    try {
      return await once(req)
    } catch (err) {
      if (err instanceof RegistryError) throw err
      const explained = req.url.protocol === 'https:' ? options.explainTls?.(req.url, err) : undefined
      const kind = explained ? 'tls' : classifyNetworkError(err)
      const code: RegistryErrorCode =
        kind === 'tls'
          ? 'WT_REGISTRY_TLS'
          : kind === 'timeout'
            ? 'WT_REGISTRY_TIMEOUT'
            : 'WT_REGISTRY_NETWORK'
      const what = explained
        ? explained.message
        : kind === 'tls'
          ? `TLS failure (${describeCause(err)})`
          : kind === 'timeout'
            ? `no answer within ${timeoutMs} ms`
            : (proxyRefusal(err) ?? `network error (${describeCause(err)})`)
      const error = new RegistryError(code, `${what}: ${req.method} ${displayUrl(req.url)}`, {
        registry: req.registry,
        url: displayUrl(req.url),
        method: req.method,
        cause: err,
      })
      if (kind !== 'tls') transient.add(error)
      throw error
    }
  }

  async function once(req: RegistryRequest): Promise<RegistryResponse> {
    const dispatcher = await options.dispatcherFor(req.url)
    const signal = AbortSignal.timeout(timeoutMs)
    const headers: Record<string, string> = { 'user-agent': userAgent, ...req.headers }
    const res = await dispatcher.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      // undici closes the socket after every HEAD (a guard against servers that send a body anyway,
      // undici#258); registries don't, and one connection per HEAD would defeat keep-alive.
      ...(req.method === 'HEAD' ? { reset: false } : {}),
      // One deadline for the whole exchange, body included (not an idle timeout).
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    const body = await readBoundedBody(res.body, {
      url: req.url,
      method: req.method,
      maxBytes: req.maxBodyBytes ?? BODY_LIMITS.manifest,
      signal,
      timeoutMs,
      registry: req.registry,
      status: res.statusCode,
    })
    // Let undici mark the connection idle before the caller sends again: otherwise the next request
    // is dispatched while the socket still counts as busy and a new connection is opened.
    await new Promise<void>((resolve) => setImmediate(resolve))
    return { status: res.statusCode, headers: res.headers, body, url: req.url }
  }
}

/** At most `concurrency` exchanges in flight per host (`url.host`). */
export function limitPerHost(concurrency: number): ExchangeInterceptor {
  const limits = new Map<string, LimitFunction>()
  return (next) => (req) => {
    let limit = limits.get(req.url.host)
    if (!limit) {
      limit = pLimit(concurrency)
      limits.set(req.url.host, limit)
    }
    return limit(() => next(req))
  }
}

export interface RetryInfo {
  host: string
  url: string
  attempt: number
  delayMs: number
  reason: string
}

export interface RetryOptions {
  /** Attempts after the first. @default 2 */
  maxRetries?: number
  /** A Retry-After longer than this is not waited for: the answer is returned, and the host is paused. @default 60000 */
  maxRetryAfterMs?: number
  /** @default Date.now */
  now?: () => number
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>
  onRetry?: (info: RetryInfo) => void
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])

/**
 * Retries 408, 429 and 5xx answers and network failures (`isTransientFailure`), never 401/403/404
 * nor TLS failures, with exponential backoff (500 ms doubling, at most 8 s). 429/503 `Retry-After`
 * is honoured and pauses every request to that host; a pause longer than `maxRetryAfterMs` fails
 * the next request to the host at once with `WT_REGISTRY_RATE_LIMITED`.
 */
export function retry(options: RetryOptions = {}): ExchangeInterceptor {
  const maxRetries = options.maxRetries ?? 2
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const notBefore = new Map<string, number>()
  const backoff = (attempt: number) => Math.min(500 * 2 ** attempt, 8000)
  return (next) => async (req) => {
    const host = req.url.host
    for (let attempt = 0; ; attempt++) {
      const wait = (notBefore.get(host) ?? 0) - now()
      if (wait > maxRetryAfterMs) {
        // The host asked for a long pause (Retry-After): fail fast instead of stalling the whole cycle.
        throw new RegistryError(
          'WT_REGISTRY_RATE_LIMITED',
          `${host} asked to wait ${Math.ceil(wait / 1000)} s before the next request: ${req.method} ${displayUrl(req.url)}`,
          { registry: req.registry, url: displayUrl(req.url), method: req.method, retryAfterMs: wait },
        )
      }
      if (wait > 0) await sleep(wait)
      let res: RegistryResponse
      try {
        res = await next(req)
      } catch (err) {
        if (!isTransientFailure(err) || attempt >= maxRetries) throw err
        const delayMs = backoff(attempt)
        options.onRetry?.({
          host,
          url: displayUrl(req.url),
          attempt: attempt + 1,
          delayMs,
          reason: describeCause((err as RegistryError).cause),
        })
        await sleep(delayMs)
        continue
      }
      if (!RETRY_STATUS.has(res.status)) return res
      const retryAfter = parseRetryAfter(firstHeader(res.headers['retry-after']), now())
      const honour = res.status === 429 || res.status === 503
      if (honour && retryAfter !== undefined && retryAfter > maxRetryAfterMs) {
        notBefore.set(host, now() + retryAfter)
        return res
      }
      if (attempt >= maxRetries) return res
      const delayMs = honour && retryAfter !== undefined ? retryAfter : backoff(attempt)
      if (honour) notBefore.set(host, Math.max(notBefore.get(host) ?? 0, now() + delayMs))
      options.onRetry?.({
        host,
        url: displayUrl(req.url),
        attempt: attempt + 1,
        delayMs,
        reason: `HTTP ${res.status}`,
      })
      if (!honour) await sleep(delayMs)
    }
  }
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])

/**
 * Follows up to `maxRedirects` (default 5) redirects. Never from https to plain http; the
 * `Authorization` header is dropped when the target changes origin, and a request body (an OAuth2
 * form holds the refresh token) is never resent to another origin. 303, and 301/302 after a POST,
 * become a GET without body.
 */
export function redirect(options: { maxRedirects?: number } = {}): ExchangeInterceptor {
  const maxRedirects = options.maxRedirects ?? 5
  return (next) => async (req) => {
    let url = req.url
    let method = req.method
    let headers = { ...req.headers }
    let body = req.body
    for (let hop = 0; ; hop++) {
      const res = await next({ ...req, url, method, headers, ...(body === undefined ? {} : { body }) })
      const location = firstHeader(res.headers['location'])
      if (!REDIRECT_STATUS.has(res.status) || !location) return res
      if (hop >= maxRedirects) {
        throw new RegistryError(
          'WT_REGISTRY_PROTOCOL',
          `too many redirects: ${method} ${displayUrl(req.url)}`,
          {
            registry: req.registry,
            url: displayUrl(req.url),
            method,
            status: res.status,
          },
        )
      }
      const target = new URL(location, url)
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new RegistryError(
          'WT_REGISTRY_PROTOCOL',
          `redirect to unsupported URL scheme ${target.protocol}`,
          {
            registry: req.registry,
            url: displayUrl(url),
            method,
          },
        )
      }
      // Never from https to plain http: the answer could be altered on the way (a digest trusted
      // from it would decide what runs), whatever the transport allows for the host.
      if (url.protocol === 'https:' && target.protocol === 'http:') {
        throw new RegistryError(
          'WT_REGISTRY_INSECURE_REALM',
          `refusing a redirect from https to plain http: ${method} ${displayUrl(url)} → ${displayUrl(target)}`,
          { registry: req.registry, url: displayUrl(url), method, status: res.status },
        )
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
        const { 'content-type': _ct, ...rest } = headers
        headers = rest
      }
      // Credentials never follow a redirect to another origin: the Authorization header is dropped,
      // and a body is refused.
      if (target.origin !== url.origin) {
        if (body !== undefined) {
          throw new RegistryError(
            'WT_REGISTRY_INSECURE_REALM',
            `refusing to resend a request body to another origin on redirect: ${method} ${displayUrl(url)} → ${displayUrl(target)}`,
            { registry: req.registry, url: displayUrl(url), method, status: res.status },
          )
        }
        const { authorization: _dropped, ...rest } = headers
        headers = rest
      }
      url = target
    }
  }
}
