/**
 * Hostile servers for the "hostile inputs" tests: a registry, token server or webhook on loopback
 * (port 0, HTTP or HTTPS with the bed's certificate) that answers each case on demand: endless or
 * trickling bodies, escape codes in a tag list, redirects to plain http, scope demands, echoed
 * credentials. A test starts one, sets its routes and closes it after.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void

export interface HostileRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface HostileServer {
  /** `http(s)://127.0.0.1:PORT` */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
  /** Every request seen, in order. */
  requests: HostileRequest[]
  /** Answers requests whose path (without query) matches; later routes win. Unmatched: 404. */
  route(path: string | RegExp, handler: HostileHandler): void
  close(): Promise<void>
}

export interface HostileServerOptions {
  /** PEM certificate and key: serve HTTPS (e.g. the bed's `tls.serverCert` / `serverKey` contents). */
  tls?: { cert: string | Buffer; key: string | Buffer }
}

export async function hostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const routes: [string | RegExp, HostileHandler][] = []
  const requests: HostileRequest[] = []
  const sockets = new Set<Socket>()
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size < 1024 * 1024) chunks.push(c)
    })
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body })
      const path = new URL(req.url ?? '/', 'http://x').pathname
      for (let i = routes.length - 1; i >= 0; i--) {
        const [p, h] = routes[i]!
        if (typeof p === 'string' ? p === path : p.test(path)) return h(req, res, body)
      }
      res.writeHead(404).end()
    })
  }
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler)
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    host,
    requests,
    route(path, h) {
      routes.push([path, h])
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Canned answers. */
export const hostile = {
  json(status: number, body: unknown, headers: Record<string, string> = {}): HostileHandler {
    return (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
  },
  /** Streams `chunkBytes` chunks for ever (respecting backpressure) until the client goes away. */
  endless(
    status = 200,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    chunkBytes = 64 * 1024,
  ): HostileHandler {
    const chunk = Buffer.alloc(chunkBytes, 0x61)
    return (req, res) => {
      res.writeHead(status, headers)
      // HEAD has no body: node's write() then accepts everything at once, so end at once.
      if (req.method === 'HEAD') return void res.end()
      const pump = () => {
        // a bounded burst per turn, then wait for the client to drain it (or go away)
        for (let i = 0; i < 16 && !res.destroyed; i++)
          if (!res.write(chunk)) return void res.once('drain', pump)
        if (!res.destroyed) setImmediate(pump)
      }
      res.on('close', () => res.removeAllListeners('drain'))
      pump()
    }
  },
  /** One byte every `intervalMs`, for ever: an idle timeout never fires, a total deadline does. */
  trickle(intervalMs = 50, status = 200): HostileHandler {
    return (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.write('{')
      const t = setInterval(() => {
        if (res.destroyed) clearInterval(t)
        else res.write(' ')
      }, intervalMs)
      res.on('close', () => clearInterval(t))
    }
  },
  redirect(location: string, status = 307): HostileHandler {
    return (_req, res) => {
      res.writeHead(status, { location })
      res.end()
    }
  },
  /** Answers with the request's own headers as JSON (a webhook that echoes what it got). */
  echoHeaders(status = 400): HostileHandler {
    return (req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'bad request', headers: req.headers }))
    }
  },
}
