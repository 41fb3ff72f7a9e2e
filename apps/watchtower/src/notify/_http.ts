import { safeExcerpt } from '@watchtower-ts/credentials'
import { BODY_LIMITS, readBoundedBody } from '@watchtower-ts/registry-client'
import { createProxyAgent, type ProxyRules } from '@watchtower-ts/tls'
import { NotifyError } from './errors.ts'

// node:http(s) through getBuiltinModule: an ES import makes Node read every export of node:http,
// which loads its bundled fetch (about 30 ms of every run's start-up) that nothing here uses.
const { request: httpRequest } = process.getBuiltinModule('node:http')
const { request: httpsRequest } = process.getBuiltinModule('node:https')

type ProxyAgent = ReturnType<typeof createProxyAgent>
let proxyRules: ProxyRules | undefined
const proxyAgents = new Map<string, ProxyAgent>()

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY for notification requests (the rules the registry requests
 * follow, Go's ProxyFromEnvironment). Set once by the app from the environment; undefined: direct.
 */
export function useNotificationProxies(rules: ProxyRules | undefined): void {
  proxyRules = rules?.enabled ? rules : undefined
  for (const agent of proxyAgents.values()) void agent.close().catch(() => {})
  proxyAgents.clear()
}

/** `send` through an HTTP proxy (undici ProxyAgent), with the same bounds and error words. */
async function sendViaProxy(
  service: string,
  url: URL,
  call: HttpCall,
  proxy: URL,
): Promise<{ status: number; body: string }> {
  const key = `${proxy.href} ${url.protocol} ${call.insecure ? 'insecure' : ''}`
  let agent = proxyAgents.get(key)
  if (agent === undefined) {
    agent = createProxyAgent(proxy, {
      ...(call.insecure ? { requestTls: { rejectUnauthorized: false } } : {}),
      // plain http:// goes to the proxy in absolute form, as Go does; https:// through CONNECT
      proxyTunnel: url.protocol === 'https:',
    })
    proxyAgents.set(key, agent)
  }
  const body = call.body ?? ''
  const timeoutMs = call.timeoutMs ?? 30_000
  const maxBytes = call.maxBodyBytes ?? BODY_LIMITS.notification
  const deadline = AbortSignal.timeout(timeoutMs)
  const where = shownUrl(url)
  const fail = (message: string, cause?: unknown) =>
    new NotifyError(service, `${service}: ${message}`, cause === undefined ? undefined : { cause })
  let res: Awaited<ReturnType<ProxyAgent['request']>>
  try {
    res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (call.method ?? 'POST') as 'POST',
      headers: {
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'watchtower-ts',
        ...call.headers,
      },
      body,
      signal: deadline,
    })
  } catch (cause) {
    throw fail(
      deadline.aborted
        ? `no answer from ${where} through the proxy within ${timeoutMs} ms`
        : `request to ${where} through the proxy failed: ${(cause as Error).message}`,
      cause,
    )
  }
  const status = res.statusCode
  let text: string
  try {
    const buf = await readBoundedBody(res.body, {
      url: new URL(`${url.protocol}//${url.host}/`),
      maxBytes,
      signal: deadline,
      timeoutMs,
      status,
    })
    text = buf.toString('utf8')
  } catch (cause) {
    const code = (cause as { code?: string }).code
    throw fail(
      code === 'WT_REGISTRY_BODY_TOO_LARGE'
        ? `the answer of ${where} (HTTP ${status}) is larger than the ${maxBytes}-byte cap; reading stopped`
        : code === 'WT_REGISTRY_TIMEOUT'
          ? `the answer of ${where} (HTTP ${status}) did not end within ${timeoutMs} ms; reading stopped`
          : `reading the answer of ${where} failed: ${(cause as Error).message}`,
      cause,
    )
  }
  if (status < 200 || status >= 300) {
    throw fail(`the server at ${where} answered HTTP ${status}: ${safeExcerpt(text, { max: 200 })}`)
  }
  return { status, body: text }
}

export interface HttpCall {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Skip certificate verification (gotify tlsskipverify). */
  insecure?: boolean
  /** Total deadline of the exchange, answer included (not an idle timeout). @default 30000 */
  timeoutMs?: number
  /** Bytes of answer read at most. @default BODY_LIMITS.notification (64 KiB) */
  maxBodyBytes?: number
}

/**
 * The URL as errors show it: scheme and host only (webhook paths and queries hold tokens).
 * @internal
 */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '/' : '/…'}`
}

/**
 * One HTTP request; non-2xx answers throw NotifyError naming the service (never the URL's
 * secrets). The answer is read by the project's bounded reader: at most `maxBodyBytes`, all
 * within `timeoutMs`, so an endless or trickling answer cannot grow memory or hang a pass.
 */
export function send(service: string, url: URL, call: HttpCall): Promise<{ status: number; body: string }> {
  const route = proxyRules?.decide(url)
  if (route?.proxy) return sendViaProxy(service, url, call, route.proxy)
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest
  const body = call.body ?? ''
  const timeoutMs = call.timeoutMs ?? 30_000
  const maxBytes = call.maxBodyBytes ?? BODY_LIMITS.notification
  const deadline = AbortSignal.timeout(timeoutMs)
  const where = shownUrl(url)
  return new Promise((resolve, reject) => {
    let responded = false
    const fail = (message: string, cause?: unknown) =>
      reject(new NotifyError(service, `${service}: ${message}`, cause === undefined ? undefined : { cause }))
    const r = req(
      url,
      {
        method: call.method ?? 'POST',
        headers: {
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'watchtower-ts',
          ...call.headers,
        },
        signal: deadline,
        ...(call.insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        responded = true
        const status = res.statusCode ?? 0
        readBoundedBody(res, {
          url: new URL(`${url.protocol}//${url.host}/`),
          maxBytes,
          signal: deadline,
          timeoutMs,
          status,
        })
          .then((buf) => {
            const text = buf.toString('utf8')
            if (status < 200 || status >= 300) {
              // an excerpt only, through the redaction path: a webhook may echo our headers back
              fail(`the server at ${where} answered HTTP ${status}: ${safeExcerpt(text, { max: 200 })}`)
            } else resolve({ status, body: text })
          })
          .catch((cause: unknown) => {
            const code = (cause as { code?: string }).code
            fail(
              code === 'WT_REGISTRY_BODY_TOO_LARGE'
                ? `the answer of ${where} (HTTP ${status}) is larger than the ${maxBytes}-byte cap; reading stopped`
                : code === 'WT_REGISTRY_TIMEOUT'
                  ? `the answer of ${where} (HTTP ${status}) did not end within ${timeoutMs} ms; reading stopped`
                  : `reading the answer of ${where} failed: ${(cause as Error).message}`,
              cause,
            )
          })
      },
    )
    // once the answer started, the body reader reports (a deadline then also errors the request)
    r.on(
      'error',
      (cause) =>
        responded ||
        fail(
          deadline.aborted
            ? `no answer from ${where} within ${timeoutMs} ms`
            : `request to ${where} failed: ${cause.message}`,
          cause,
        ),
    )
    r.end(body)
  })
}
