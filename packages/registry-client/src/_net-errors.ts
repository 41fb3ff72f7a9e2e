/** Telling TLS, timeout and other network failures apart from what undici and Node throw. */
import { explainTlsError } from '@watchtower-ts/tls'

/**
 * `tls`, `timeout` or `network` for an error thrown by the dispatcher (walks the cause chain).
 * What is a TLS failure is tls's `explainTlsError` to say: there is one TLS taxonomy.
 */
export function classifyNetworkError(err: unknown): 'tls' | 'timeout' | 'network' {
  if (explainTlsError(err) !== undefined) return 'tls'
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown }
    const code = typeof o.code === 'string' ? o.code : ''
    if (o.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      return 'timeout'
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout'
    e = o.cause
  }
  return 'network'
}

export function describeCause(err: unknown): string {
  const parts: string[] = []
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const o = e as { code?: unknown; message?: unknown; cause?: unknown }
    const text = [typeof o.code === 'string' ? o.code : '', typeof o.message === 'string' ? o.message : '']
      .filter(Boolean)
      .join(' ')
    if (text && !parts.includes(text)) parts.push(text)
    e = o.cause
  }
  return parts.join(': ') || String(err)
}

/**
 * undici's ProxyAgent fails a refused CONNECT with "Proxy response (407) !== 200 when HTTP
 * Tunneling": say it in words (the proxy's URL and credentials are not known here, never shown).
 */
export function proxyRefusal(err: unknown): string | undefined {
  const m = /Proxy response \((\d{3})\) !== 200/.exec(describeCause(err))
  if (!m) return undefined
  const status = Number(m[1])
  return status === 401 || status === 407
    ? `the HTTP proxy refused the tunnel (${status}): wrong or missing proxy credentials (user:password in HTTPS_PROXY / HTTP_PROXY)`
    : `the HTTP proxy refused the tunnel (${status})`
}
