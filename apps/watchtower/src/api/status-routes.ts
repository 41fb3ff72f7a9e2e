// GET /v1/containers, /v1/sessions, /v1/registries, /v1/events (server-sent events) and
// POST /v1/check: the status API. The caller has checked the token already.
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type ContainersResponse,
  type RegistriesResponse,
  type SessionsResponse,
  TargetState,
} from '../status/schema.ts'
import type { StatusStore } from '../status/store.ts'

export const STATUS_PATHS = new Set([
  '/v1/containers',
  '/v1/sessions',
  '/v1/registries',
  '/v1/events',
  '/v1/check',
])

/** At most this many live /v1/events streams; more get 503. */
export const MAX_EVENT_STREAMS = 32
/** A stream whose reader falls this far behind is closed (it reconnects and refetches). */
const MAX_BUFFERED = 1024 * 1024
const KEEPALIVE_MS = 15_000

export interface StatusRoutesOptions {
  status: StatusStore
  updateEnabled: boolean
  /** POST /v1/check: a check-only pass, skipped when another pass runs. */
  onCheck?: () => Promise<{ skipped: boolean }>
}

type Reply = (res: ServerResponse, status: number, body?: unknown) => void

export function createStatusRoutes(o: StatusRoutesOptions) {
  let streams = 0
  return async (req: IncomingMessage, res: ServerResponse, url: URL, path: string, reply: Reply) => {
    const isGet = req.method === 'GET' || req.method === 'HEAD'
    if (path === '/v1/check') {
      if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' })
      req.resume()
      if (!o.onCheck) return reply(res, 404, { error: 'not found' })
      const r = await o.onCheck()
      return reply(
        res,
        200,
        r.skipped ? { skipped: true, reason: 'another pass is running' } : { skipped: false },
      )
    }
    if (!isGet) return reply(res, 405, { error: 'use GET' })
    res.setHeader('cache-control', 'no-store')
    if (path === '/v1/containers') {
      const host = url.searchParams.get('host') ?? undefined
      const states: TargetState[] = []
      for (const v of url.searchParams.getAll('state').flatMap((s) => s.split(','))) {
        const s = v.trim()
        if (!s) continue
        const parsed = TargetState.safeParse(s)
        if (!parsed.success) {
          return reply(res, 400, {
            error: `invalid state "${s.slice(0, 40)}" in ?state=: use ${TargetState.options.join(', ')}`,
          })
        }
        states.push(parsed.data)
      }
      const next = o.status.nextCheck()
      const body: ContainersResponse = {
        containers: o.status.targets({ host, states }),
        nextCheck: next === null ? null : new Date(next).toISOString(),
        updateEnabled: o.updateEnabled,
      }
      return reply(res, 200, body)
    }
    if (path === '/v1/sessions') {
      const body: SessionsResponse = { sessions: o.status.sessions() }
      return reply(res, 200, body)
    }
    if (path === '/v1/registries') {
      const body: RegistriesResponse = { registries: o.status.registries() }
      return reply(res, 200, body)
    }
    // /v1/events
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
      return void res.end()
    }
    if (streams >= MAX_EVENT_STREAMS) return reply(res, 503, { error: 'too many event streams' })
    streams++
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    })
    res.write(': watchtower status events\n\n')
    const off = o.status.subscribe((e) => {
      if (res.writableLength > MAX_BUFFERED) return res.destroy()
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
    })
    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS)
    keepalive.unref()
    await new Promise<void>((resolve) => {
      const done = () => {
        off()
        clearInterval(keepalive)
        resolve()
      }
      res.once('close', done)
    })
    streams--
  }
}
