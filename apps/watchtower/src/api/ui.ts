// The status page (--http-api-ui): one HTML page, one script and one stylesheet served by the API's
// own server, with no external asset and a Content-Security-Policy that allows nothing else (no
// inline script or style, no other origin). They hold no data: everything comes from the
// token-protected API, the token travelling only in the Authorization header.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { APP_CSS, APP_JS, INDEX_HTML } from './ui-assets.ts'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const FILES: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
  '/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
  '/app.css': { type: 'text/css; charset=utf-8', body: APP_CSS },
}

export const UI_PATHS = new Set([...Object.keys(FILES), '/favicon.ico'])

export function serveUi(req: IncomingMessage, res: ServerResponse, path: string): void {
  req.resume()
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY)
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('referrer-policy', 'no-referrer')
  res.setHeader('x-frame-options', 'DENY')
  res.setHeader('cross-origin-opener-policy', 'same-origin')
  res.setHeader('cache-control', 'no-cache')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.statusCode = 405
    res.setHeader('allow', 'GET, HEAD')
    return void res.end()
  }
  const file = FILES[path]
  if (!file) {
    res.statusCode = 204 // favicon.ico: none, and no error in the console
    return void res.end()
  }
  res.statusCode = 200
  res.setHeader('content-type', file.type)
  res.setHeader('content-length', Buffer.byteLength(file.body))
  res.end(req.method === 'HEAD' ? undefined : file.body)
}
