// Batches log entries per session, renders the template and sends to every
// service (upstream pkg/notifications/notifier.go + shoutrrr.go). Never sends
// an empty message; a failing service is logged, never fatal.
import type { LogLevel } from '../config/types.ts'
import type { OutputStream } from '../output.ts'
import { buildReport, type SessionReport } from '../session/types.ts'
import { createService, type FixedHostService, type Service } from './services.ts'
import { createRenderer, type LogEntry, type NotificationData } from './templates.ts'

export interface NotifierOptions {
  urls: readonly string[]
  template: string
  reportMode: boolean
  titleTag: string
  skipTitle: boolean
  hostname: string
  delaySeconds: number
  /** Most verbose level forwarded. */
  level: LogLevel
  logStdout: boolean
  /** One message per updated, stale or failed container (report mode). */
  splitByContainer?: boolean
  stdout: OutputStream
  sleep: (ms: number) => Promise<void>
  /** Logs the notifier's own problems (never forwarded to notifications). */
  onError: (message: string, err?: unknown) => void
  logInfo: (message: string) => void
  /** Tests only, see services.ts. */
  endpoints?: Partial<Record<FixedHostService, string>>
}

export interface Notifier {
  readonly services: readonly Service[]
  /** Feed a log entry (from the logger hook). */
  entry(e: LogEntry): void
  startSession(): void
  /** Renders and sends the session's notification (skipped when empty). */
  endSession(report?: SessionReport): Promise<void>
  /** Sends lines as one batch of info entries through the template (startup message). */
  sendLines(lines: readonly string[]): Promise<void>
  /** Waits for every send in flight. */
  close(): Promise<void>
}

const ORDER: Record<string, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 }

export function createNotifier(o: NotifierOptions): Notifier {
  const ctx = {
    logInfo: o.logInfo,
    stdout: o.stdout,
    logStdout: o.logStdout,
    ...(o.endpoints ? { endpoints: o.endpoints } : {}),
  }
  const services = o.urls.map((u) => createService(u, ctx))
  // Compiled on first use, or at once when a template was given (a broken one is reported at start):
  // with no service and the default template, nothing is ever rendered.
  let renderer: ReturnType<typeof createRenderer> | undefined
  const rendererOf = () => {
    if (!renderer) {
      renderer = createRenderer(o.template, o.reportMode)
      if (renderer.invalid)
        o.onError(`invalid notification template, using the default: ${renderer.invalid.message}`)
    }
    return renderer
  }
  if (services.length > 0 || o.template.trim() !== '') rendererOf()
  const title = o.skipTitle
    ? undefined
    : `${o.titleTag ? `[${o.titleTag}] ` : ''}Watchtower updates on ${o.hostname}`
  const pending = new Set<Promise<void>>()
  let batch: LogEntry[] | undefined

  const dispatch = (body: string): Promise<void> => {
    if (body.trim() === '' || services.length === 0) {
      return Promise.resolve()
    }
    const p = (async () => {
      if (o.delaySeconds > 0) await o.sleep(o.delaySeconds * 1000)
      await Promise.all(
        services.map((s) =>
          s.send({ ...(title ? { title } : {}), body }).catch((err: unknown) => {
            o.onError(`failed to send a notification via ${s.description}: ${(err as Error).message}`, err)
          }),
        ),
      )
    })()
    pending.add(p)
    void p.finally(() => pending.delete(p))
    return p
  }

  const render = (data: NotificationData): string => {
    if (services.length === 0) return ''
    try {
      return rendererOf().render(data)
    } catch (err) {
      o.onError(`notification template failed: ${(err as Error).message}`, err)
      try {
        return createRenderer('', o.reportMode).render(data)
      } catch {
        return ''
      }
    }
  }

  return {
    services,
    entry(e) {
      if (services.length === 0) return
      if ((ORDER[e.level] ?? 9) > (ORDER[o.level] ?? 3)) return
      if (e.data.notify === false || e.data.notify === 'no') return
      if (batch) batch.push(e)
      else void dispatch(render({ title: title ?? '', host: o.hostname, entries: [e] }))
    },
    startSession() {
      batch = []
    },
    async endSession(report) {
      const entries = batch ?? []
      batch = undefined
      if (o.splitByContainer && o.reportMode && report) {
        const changed = [...report.updated, ...report.stale, ...report.failed]
        await Promise.all(
          changed.map((c) =>
            dispatch(render({ title: title ?? '', host: o.hostname, entries: [], report: buildReport([c]) })),
          ),
        )
        return
      }
      await dispatch(render({ title: title ?? '', host: o.hostname, entries, ...(report ? { report } : {}) }))
    },
    async sendLines(lines) {
      const entries = lines.map((message) => ({ level: 'info', message, time: new Date(), data: {} }))
      await dispatch(render({ title: title ?? '', host: o.hostname, entries }))
    },
    async close() {
      await Promise.all([...pending])
    },
  }
}
