/**
 * One request helper over an injected undici Dispatcher: per-host concurrency limit, per-host
 * backoff shared by every request to that host, a total deadline on every attempt (body included,
 * read by `readBoundedBody` under a cap per kind of answer), bounded retries (408, 429, 5xx,
 * network errors; never 401/403/404), Retry-After, and manual redirects that drop `Authorization`
 * when the target changes origin and are refused outright when they downgrade https→http.
 */
import type { Buffer } from 'node:buffer'
import pLimit, { type LimitFunction } from 'p-limit'
import type { Dispatcher } from 'undici'
import { classifyNetworkError, describeCause } from './_net-errors.ts'
import { BODY_LIMITS, readBoundedBody } from './body.ts'
import { RegistryError, type RegistryErrorCode } from './errors.ts'
import { firstHeader, parseRetryAfter } from './rate-limit.ts'

export type RequestKind = 'ping' | 'token' | 'manifest-head' | 'manifest-get' | 'tags-list' | 'blob'

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST'
  url: URL
  headers: Record<string, string>
  body?: string
  kind: RequestKind
  /** Registry this request is for (error messages, events). */
  registry: string
  /** Maximum body bytes kept (default `BODY_LIMITS.manifest`); larger bodies fail with WT_REGISTRY_BODY_TOO_LARGE. */
  maxBodyBytes?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** Final URL after redirects. */
  url: URL
}

export interface HttpEvents {
  onRetry(info: { host: string; url: string; attempt: number; delayMs: number; reason: string }): void
  onResponse(req: HttpRequest, res: HttpResponse): void
}

export interface HttpOptions {
  dispatcherFor(url: URL): Promise<Dispatcher>
  /** Explains a failed HTTPS request as a TLS problem (e.g. a refused client certificate seen as a closed socket). */
  explainTls?(url: URL, error: unknown): { message: string } | undefined
  userAgent: string
  timeoutMs: number
  maxRetries: number
  maxRetryAfterMs: number
  concurrencyPerHost: number
  now(): number
  sleep(ms: number): Promise<void>
  events: HttpEvents
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5
/** Safe URL text for messages: no userinfo, no query (token requests carry account names). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}

export class Http {
  readonly #o: HttpOptions
  readonly #limits = new Map<string, LimitFunction>()
  readonly #notBefore = new Map<string, number>()

  constructor(options: HttpOptions) {
    this.#o = options
  }

  #limit(host: string): LimitFunction {
    let l = this.#limits.get(host)
    if (!l) {
      l = pLimit(this.#o.concurrencyPerHost)
      this.#limits.set(host, l)
    }
    return l
  }

  /** Sends with retries and redirects; returns the final response whatever its status (callers map it). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url
    let method = req.method
    let headers = { ...req.headers }
    let body = req.body
    for (let hop = 0; ; hop++) {
      const res = await this.#withRetries({
        ...req,
        url,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      })
      const location = firstHeader(res.headers['location'])
      if (!REDIRECT_STATUS.has(res.status) || !location) return res
      if (hop >= MAX_REDIRECTS) {
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
      const next = new URL(location, url)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new RegistryError(
          'WT_REGISTRY_PROTOCOL',
          `redirect to unsupported URL scheme ${next.protocol}`,
          {
            registry: req.registry,
            url: displayUrl(url),
            method,
          },
        )
      }
      // Never from https to plain http: the answer could be altered on the way (a digest trusted
      // from it would decide what runs), whatever the transport allows for the host.
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new RegistryError(
          'WT_REGISTRY_INSECURE_REALM',
          `refusing a redirect from https to plain http: ${method} ${displayUrl(url)} → ${displayUrl(next)}`,
          { registry: req.registry, url: displayUrl(url), method, status: res.status },
        )
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
        const { 'content-type': _ct, ...rest } = headers
        headers = rest
      }
      // Credentials never follow a redirect to another origin, nor a downgrade to http: the
      // Authorization header is dropped, and a body (an OAuth2 form holds the refresh token) is refused.
      if (next.origin !== url.origin || (url.protocol === 'https:' && next.protocol === 'http:')) {
        if (body !== undefined) {
          throw new RegistryError(
            'WT_REGISTRY_INSECURE_REALM',
            `refusing to resend a request body to another origin on redirect: ${method} ${displayUrl(url)} → ${displayUrl(next)}`,
            { registry: req.registry, url: displayUrl(url), method, status: res.status },
          )
        }
        const { authorization: _dropped, ...rest } = headers
        headers = rest
      }
      url = next
    }
  }

  async #withRetries(req: HttpRequest): Promise<HttpResponse> {
    const host = req.url.host
    for (let attempt = 0; ; attempt++) {
      const wait = (this.#notBefore.get(host) ?? 0) - this.#o.now()
      if (wait > this.#o.maxRetryAfterMs) {
        // The host asked for a long pause (Retry-After): fail fast instead of stalling the whole cycle.
        throw new RegistryError(
          'WT_REGISTRY_RATE_LIMITED',
          `${host} asked to wait ${Math.ceil(wait / 1000)} s before the next request: ${req.method} ${displayUrl(req.url)}`,
          { registry: req.registry, url: displayUrl(req.url), method: req.method, retryAfterMs: wait },
        )
      }
      if (wait > 0) await this.#o.sleep(wait)
      let res: HttpResponse
      try {
        res = await this.#limit(host)(() => this.#once(req))
      } catch (err) {
        if (err instanceof RegistryError) throw err
        const explained = req.url.protocol === 'https:' ? this.#o.explainTls?.(req.url, err) : undefined
        const kind = explained ? 'tls' : classifyNetworkError(err)
        if (kind === 'tls' || attempt >= this.#o.maxRetries)
          throw this.#networkError(req, kind, err, explained?.message)
        const delayMs = this.#backoff(attempt)
        this.#o.events.onRetry({
          host,
          url: displayUrl(req.url),
          attempt: attempt + 1,
          delayMs,
          reason: describeCause(err),
        })
        await this.#o.sleep(delayMs)
        continue
      }
      this.#o.events.onResponse(req, res)
      if (!RETRY_STATUS.has(res.status)) return res
      const retryAfter = parseRetryAfter(firstHeader(res.headers['retry-after']), this.#o.now())
      const honour = res.status === 429 || res.status === 503
      if (honour && retryAfter !== undefined && retryAfter > this.#o.maxRetryAfterMs) {
        this.#notBefore.set(host, this.#o.now() + retryAfter)
        return res
      }
      if (attempt >= this.#o.maxRetries) return res
      const delayMs = honour && retryAfter !== undefined ? retryAfter : this.#backoff(attempt)
      if (honour) this.#notBefore.set(host, Math.max(this.#notBefore.get(host) ?? 0, this.#o.now() + delayMs))
      this.#o.events.onRetry({
        host,
        url: displayUrl(req.url),
        attempt: attempt + 1,
        delayMs,
        reason: `HTTP ${res.status}`,
      })
      if (!honour) await this.#o.sleep(delayMs)
    }
  }

  #backoff(attempt: number): number {
    return Math.min(500 * 2 ** attempt, 8000)
  }

  #networkError(
    req: HttpRequest,
    kind: 'tls' | 'timeout' | 'network',
    cause: unknown,
    explanation?: string,
  ): RegistryError {
    const code: RegistryErrorCode =
      kind === 'tls' ? 'WT_REGISTRY_TLS' : kind === 'timeout' ? 'WT_REGISTRY_TIMEOUT' : 'WT_REGISTRY_NETWORK'
    const what = explanation
      ? explanation
      : kind === 'tls'
        ? `TLS failure (${describeCause(cause)})`
        : kind === 'timeout'
          ? `no answer within ${this.#o.timeoutMs} ms`
          : `network error (${describeCause(cause)})`
    return new RegistryError(code, `${what}: ${req.method} ${displayUrl(req.url)}`, {
      registry: req.registry,
      url: displayUrl(req.url),
      method: req.method,
      cause,
    })
  }

  async #once(req: HttpRequest): Promise<HttpResponse> {
    const dispatcher = await this.#o.dispatcherFor(req.url)
    const signal = AbortSignal.timeout(this.#o.timeoutMs)
    const headers: Record<string, string> = { 'user-agent': this.#o.userAgent, ...req.headers }
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
      headersTimeout: this.#o.timeoutMs,
      bodyTimeout: this.#o.timeoutMs,
    })
    const body = await readBoundedBody(res.body, {
      url: req.url,
      method: req.method,
      maxBytes: req.maxBodyBytes ?? BODY_LIMITS.manifest,
      signal,
      timeoutMs: this.#o.timeoutMs,
      registry: req.registry,
      status: res.statusCode,
    })
    // Let undici mark the connection idle before the per-host slot frees: otherwise the next request
    // is dispatched while the socket still counts as busy and a new connection is opened.
    await new Promise<void>((resolve) => setImmediate(resolve))
    return { status: res.statusCode, headers: res.headers, body, url: req.url }
  }
}
