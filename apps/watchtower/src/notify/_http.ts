import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { NotifyError } from './errors.ts'

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
