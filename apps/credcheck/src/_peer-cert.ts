import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type Socket } from 'node:net'
import tls from 'node:tls'

export interface PeerCertificateSummary {
  subject: string
  issuer: string
  /** ISO 8601 */
  validFrom: string
  /** ISO 8601 */
  validTo: string
  /** `DNS:localhost, IP Address:127.0.0.1` as Node prints it. */
  subjectAltName?: string
  fingerprint256: string
  /** Issuers up the chain the server sent (subject names), leaf's issuer first. */
  chain: string[]
}

export type PeerProbe =
  | { kind: 'tls'; certificate: PeerCertificateSummary; protocol: string | null }
  /** The server answered, but not with TLS (plain HTTP). */
  | { kind: 'not-tls'; error: Error }

function dn(name: unknown): string {
  if (!name || typeof name !== 'object') return ''
  return Object.entries(name as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ')
}

function iso(date: string): string {
  const t = Date.parse(date)
  return Number.isNaN(t) ? date : new Date(t).toISOString()
}

/**
 * Opens a TLS socket only to read the server's certificate (verification is judged separately,
 * through the same dispatcher watchtower uses). Connection errors reject; a server that answers
 * without TLS resolves `not-tls`.
 */
export function readPeerCertificate(
  host: string,
  port: number,
  timeoutMs: number,
  through?: Socket,
): Promise<PeerProbe> {
  return new Promise((resolve, reject) => {
    const bare = host.replace(/^\[|\]$/g, '')
    let settled = false
    let gotData = false
    const socket = tls.connect({
      ...(through ? { socket: through } : { host: bare, port }),
      ...(isIP(bare) ? {} : { servername: bare }),
      rejectUnauthorized: false,
    })
    const done = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      fn()
    }
    const timer = setTimeout(
      () =>
        done(() =>
          reject(Object.assign(new Error(`TLS connect to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })),
        ),
      timeoutMs,
    )
    socket.on('secureConnect', () => {
      const peer = socket.getPeerCertificate(true)
      const chain: string[] = []
      let cur: tls.DetailedPeerCertificate | undefined = peer
      for (let i = 0; cur && i < 8; i++) {
        chain.push(dn(cur.issuer))
        if (!cur.issuerCertificate || cur.issuerCertificate === cur) break
        cur = cur.issuerCertificate
      }
      const certificate: PeerCertificateSummary = {
        subject: dn(peer.subject),
        issuer: dn(peer.issuer),
        validFrom: iso(peer.valid_from),
        validTo: iso(peer.valid_to),
        ...(peer.subjectaltname ? { subjectAltName: peer.subjectaltname } : {}),
        fingerprint256: peer.fingerprint256,
        chain,
      }
      done(() => resolve({ kind: 'tls', certificate, protocol: socket.getProtocol() }))
    })
    socket.on('data', () => {
      gotData = true
    })
    socket.on('error', (error: Error & { code?: string }) => {
      // A plain-HTTP server answers the ClientHello with an HTTP 400 → "wrong version number" (EPROTO).
      const notTls =
        gotData ||
        error.code === 'EPROTO' ||
        error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
        /wrong version number|packet length too long|http request/i.test(error.message)
      done(() => (notTls ? resolve({ kind: 'not-tls', error }) : reject(error)))
    })
  })
}

/**
 * A CONNECT tunnel to `host:port` through an HTTP(S) proxy (what undici's ProxyAgent does for the
 * registry requests), so the certificate read here is the one those requests see. The proxy's
 * credentials go in a Proxy-Authorization header; errors never carry them.
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${host}:${port}`
    const user = decodeURIComponent(proxy.username)
    const pass = decodeURIComponent(proxy.password)
    const auth =
      proxy.username || proxy.password
        ? { 'proxy-authorization': `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` }
        : {}
    const request = proxy.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...auth },
      timeout: timeoutMs,
    })
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        resolve(socket)
        return
      }
      socket.destroy()
      reject(
        Object.assign(
          new Error(
            `the proxy answered ${res.statusCode} ${res.statusMessage ?? ''} to CONNECT ${target}`.trim(),
          ),
          {
            statusCode: res.statusCode,
          },
        ),
      )
    })
    req.once('timeout', () =>
      req.destroy(
        Object.assign(new Error(`CONNECT ${target} through the proxy timed out`), { code: 'ETIMEDOUT' }),
      ),
    )
    req.once('error', reject)
    req.end()
  })
}
