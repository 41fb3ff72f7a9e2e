import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createProxyAgent, type ProxyRules } from '@watchtower-ts/tls'
import { NotifyError } from './errors.ts'

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

const MAX_ANSWER = 64 * 1024

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
  const timeout = call.timeoutMs ?? 30_000
  let status: number
  let text: string
  try {
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (call.method ?? 'POST') as 'POST',
      headers: {
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'watchtower-ts',
        ...call.headers,
      },
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    })
    status = res.statusCode
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      if (size < MAX_ANSWER) chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
    }
    text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER)
  } catch (cause) {
    throw new NotifyError(
      service,
      `${service}: request through the proxy failed: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  if (status < 200 || status >= 300) {
    throw new NotifyError(service, `${service}: the server answered HTTP ${status}: ${text.slice(0, 200)}`)
  }
  return { status, body: text }
}

export interface HttpCall {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Skip certificate verification (gotify tlsskipverify). */
  insecure?: boolean
  timeoutMs?: number
}

/** One HTTP request; non-2xx answers throw NotifyError naming the service (never the URL's secrets). */
export function send(service: string, url: URL, call: HttpCall): Promise<{ status: number; body: string }> {
  const route = proxyRules?.decide(url)
  if (route?.proxy) return sendViaProxy(service, url, call, route.proxy)
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest
  const body = call.body ?? ''
  return new Promise((resolve, reject) => {
    const r = req(
      url,
      {
        method: call.method ?? 'POST',
        headers: {
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'watchtower-ts',
          ...call.headers,
        },
        timeout: call.timeoutMs ?? 30_000,
        ...(call.insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status < 200 || status >= 300) {
            reject(
              new NotifyError(
                service,
                `${service}: the server answered HTTP ${status}: ${text.slice(0, 200)}`,
              ),
            )
          } else resolve({ status, body: text })
        })
        res.on('error', (cause) =>
          reject(new NotifyError(service, `${service}: ${cause.message}`, { cause })),
        )
      },
    )
    r.on('timeout', () => r.destroy(new Error('timed out')))
    r.on('error', (cause) =>
      reject(new NotifyError(service, `${service}: request failed: ${cause.message}`, { cause })),
    )
    r.end(body)
  })
}
