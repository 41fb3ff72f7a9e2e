// The HTTP API on node:http: /v1/update, /v1/metrics (both behind the Bearer
// token, compared in constant time) and an unauthenticated health endpoint.
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ImageReference } from '@watchtower-ts/image-reference'
import type { Logger } from 'pino'
import { WatchtowerError } from '../errors.ts'
import type { SessionReport } from '../session/types.ts'
import type { StatusStore } from '../status/store.ts'
import { shortId } from '../template/index.ts'
import { parseImageFilter } from './image-filter.ts'
import type { Metrics } from './metrics.ts'
import { createStatusRoutes, STATUS_PATHS } from './status-routes.ts'
import { serveUi, UI_PATHS } from './ui.ts'

export type UpdateOutcome = { skipped: true } | { skipped: false; report: SessionReport }

export interface ApiServerOptions {
  token: string
  /** Enable /v1/update. */
  update: boolean
  /** Enable /v1/metrics. */
  metrics?: Metrics
  /** Runs a session: with images it waits its turn; without, it is skipped when one is running. */
  onUpdate: (images: ImageReference[] | undefined, hosts?: string[]) => Promise<UpdateOutcome>
  /** Live health (engine reached recently, schedule loop not stuck). @default always healthy */
  health?: () => { healthy: boolean; reason: string }
  /** Enables GET /v1/containers, /v1/sessions, /v1/registries, /v1/events. */
  status?: StatusStore
  /** POST /v1/check: a check-only pass (with `status`). */
  onCheck?: () => Promise<{ skipped: boolean }>
  /** Serve the status page at / (--http-api-ui). */
  ui?: boolean
  log: Logger
  /** Unauthorized requests are logged as one line per this interval, at most. @default 60000 */
  unauthorizedLogIntervalMs?: number
  /** @default Date.now */
  now?: () => number
}

export interface ApiServer {
  listen(port: number, host?: string): Promise<{ port: number; host: string }>
  close(): Promise<void>
}

const digest = (s: string) => createHash('sha256').update(s).digest()

export function createApiServer(o: ApiServerOptions): ApiServer {
  const unauthorized = createUnauthorizedLog(o.log, o.unauthorizedLogIntervalMs ?? 60_000, o.now ?? Date.now)
  const expected = digest(`Bearer ${o.token}`)
  const authorized = (req: IncomingMessage) =>
    timingSafeEqual(digest(req.headers.authorization ?? ''), expected)
  const reply = (res: ServerResponse, status: number, body?: unknown, type = 'application/json') => {
    res.statusCode = status
    if (body === undefined) return res.end()
    res.setHeader('content-type', type)
    res.end(typeof body === 'string' ? body : `${JSON.stringify(body)}\n`)
  }
  const statusRoutes = o.status
    ? createStatusRoutes({
        status: o.status,
        updateEnabled: o.update,
        ...(o.onCheck ? { onCheck: o.onCheck } : {}),
      })
    : undefined
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    if (path === '/v1/health' || path === '/health') {
      const h = o.health?.() ?? { healthy: true, reason: 'ok' }
      return h.healthy
        ? reply(res, 200, { status: 'ok' })
        : reply(res, 503, { status: 'unhealthy', reason: h.reason })
    }
    // the page and its two files hold no data: they are served without the token
    if (o.ui && UI_PATHS.has(path)) return serveUi(req, res, path)
    const isUpdate = path === '/v1/update' && o.update
    const isMetrics = path === '/v1/metrics' && o.metrics
    const isStatus = statusRoutes !== undefined && STATUS_PATHS.has(path)
    if (!isUpdate && !isMetrics && !isStatus) return reply(res, 404, { error: 'not found' })
    if (!authorized(req)) {
      unauthorized.record(path)
      return reply(res, 401)
    }
    if (isStatus) return statusRoutes(req, res, url, path, reply)
    if (isMetrics) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'use GET' })
      const m = await o.metrics!.render()
      return reply(res, 200, m.body, m.contentType)
    }
    req.resume()
    let images: ImageReference[] | undefined
    try {
      const values = url.searchParams.getAll('image')
      images = values.length ? parseImageFilter(values) : undefined
      if (images && images.length === 0) images = undefined
    } catch (err) {
      return reply(res, 400, { error: (err as WatchtowerError).message })
    }
    o.log.info(
      { images: images?.map((i) => i.original), notify: false },
      'Updates triggered by HTTP API request',
    )
    // `host=` (repeatable): only these engines of a fleet, named as given to --host
    const hosts = url.searchParams.getAll('host').filter((h) => h !== '')
    const outcome = await o.onUpdate(images, hosts.length > 0 ? hosts : undefined)
    if (outcome.skipped) return reply(res, 200, { skipped: true, reason: 'another update is running' })
    const r = outcome.report
    return reply(res, 200, {
      skipped: false,
      summary: {
        scanned: r.scanned.length,
        updated: r.updated.length,
        failed: r.failed.length,
        skipped: r.skipped.length,
        stale: r.stale.length,
        fresh: r.fresh.length,
      },
      ...(r.engines ? { engines: r.engines } : {}),
      containers: r.all.map((c) => ({
        kind: c.kind ?? 'container',
        ...(c.host ? { host: c.host } : {}),
        id: shortId(c.id),
        name: c.name.replace(/^\//, ''),
        image: c.imageName,
        state: c.state,
        currentImageId: shortId(c.currentImageId),
        latestImageId: shortId(c.latestImageId),
        ...(c.error ? { error: c.error } : {}),
        ...(c.tagChange
          ? { fromTag: c.tagChange.from, toTag: c.tagChange.to, newImage: c.tagChange.newImageName }
          : {}),
        ...(c.waiting ? { waiting: { image: c.waiting.imageName, waitMs: c.waiting.waitMs } } : {}),
      })),
    })
  }
  let server: Server | undefined
  return {
    listen(port, host) {
      server = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          o.log.error({ err }, 'HTTP API request failed')
          if (!res.headersSent) reply(res, 500, { error: (err as Error).message })
          else res.end()
        })
      })
      return new Promise((resolve, reject) => {
        server!.once('error', (cause) =>
          reject(
            new WatchtowerError(
              'WT_WATCHTOWER_API',
              `cannot listen on ${host || '*'}:${port}: ${cause.message}`,
              { cause },
            ),
          ),
        )
        server!.listen(port, host || undefined, () => {
          const a = server!.address() as AddressInfo
          resolve({ port: a.port, host: a.address })
        })
      })
    },
    close() {
      unauthorized.flush()
      return new Promise((resolve) => {
        if (!server) return resolve()
        server.closeAllConnections()
        server.close(() => resolve())
      })
    },
  }
}

/**
 * Unauthorized requests, rate-limited: the first of an interval is logged at once, the rest of
 * that interval become one summary line (count and paths) when the next interval starts or the
 * server closes. A flood of 401s costs one line per interval, not one per request.
 */
function createUnauthorizedLog(log: Logger, intervalMs: number, now: () => number) {
  let windowStart = Number.NEGATIVE_INFINITY
  let suppressed = 0
  const paths = new Set<string>()
  const flush = () => {
    if (suppressed === 0) return
    log.warn(
      { notify: false, count: suppressed, paths: [...paths].sort().join(',') },
      `${suppressed} more unauthorized API request(s) in the last ${Math.round(intervalMs / 1000)} s`,
    )
    suppressed = 0
    paths.clear()
  }
  return {
    record(path: string) {
      const t = now()
      if (t - windowStart >= intervalMs) {
        flush()
        windowStart = t
        log.warn({ path, notify: false }, 'Unauthorized API request')
        return
      }
      suppressed++
      if (paths.size < 10) paths.add(path)
    },
    flush,
  }
}
