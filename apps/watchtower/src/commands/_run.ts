// The watchtower process: logger, notifier, session runner, HTTP API and the
// schedule, with one session at a time and a graceful stop on SIGTERM/SIGINT.

import type { ImageReference } from '@watchtower-ts/image-reference'
import { createProxyRules, proxyConfigFromEnv } from '@watchtower-ts/tls'
import type { Logger } from 'pino'
import type { WatchtowerConfig } from '../config/types.ts'
import type { CliDeps } from '../deps.ts'
import { ConfigError } from '../errors.ts'
import { DEFAULT_HEARTBEAT_FILE, type HeartbeatMonitor, startHeartbeat } from '../health/heartbeat.ts'
import { configSecrets, createLogger, proxySecrets } from '../log.ts'
import { useNotificationProxies } from '../notify/_http.ts'
import { legacyNotificationUrls } from '../notify/legacy.ts'
import { createNotifier, type Notifier } from '../notify/notifier.ts'
import { describeDelay, describeFilter } from '../schedule/describe.ts'
import { parseSchedule } from '../schedule/spec.ts'
import { createSessionLock } from '../session/lock.ts'
import type { SessionReport, SessionRunner } from '../session/types.ts'
import type { SessionTrigger, StatusStore } from '../status/store.ts'

const MAX_SLEEP_MS = 3_600_000

/** Runs watchtower with a resolved configuration; returns the exit code. */
export async function runWatchtower(config: WatchtowerConfig, deps: CliDeps): Promise<number> {
  const { log, notifier } = createReporting(config, deps)
  const apiOn = config.httpApiUpdate || config.httpApiMetrics || config.httpApiUi
  // the status API's memory (and --state-file): whenever the HTTP API runs or a state file is asked for
  const status: StatusStore | undefined =
    (apiOn && !config.runOnce) || config.stateFile
      ? await (await import('../status/store.ts')).createStatusStore({
          host: config.dockerHost,
          now: deps.now,
          ...(config.stateFile ? { file: config.stateFile } : {}),
          onWarning: (m) => log.warn({ notify: false }, m),
        })
      : undefined
  const factory = deps.createRunner ?? (await import('../wiring.ts')).createSessionRunner
  const runner = await factory(config, { log, env: deps.env, ...(status ? { observer: status } : {}) })
  // prom-client is loaded only when the metrics endpoint exists
  const metrics = config.httpApiMetrics
    ? (await import('../api/metrics.ts')).createMetrics(() => runner.stats?.())
    : undefined
  const lock = createSessionLock()
  const stop = new AbortController()
  const offShutdown = deps.onShutdown((signal) => {
    log.info({ notify: false }, `Got ${signal}: finishing the update in progress, then stopping`)
    stop.abort()
  })

  let heartbeat: HeartbeatMonitor | undefined
  const session = createSession({
    config,
    deps,
    log,
    notifier,
    runner,
    status,
    metrics,
    signal: stop.signal,
    heartbeat: () => heartbeat,
  })

  const startup: string[] = [`Watchtower ${deps.version}`]
  const names = notifier.services.map((s) => s.description)
  startup.push(names.length ? `Using notifications: ${names.join(', ')}` : 'Using no notifications')
  startup.push(describeFilter(config))
  if (config.dockerHosts.length > 1)
    startup.push(`Watching ${config.dockerHosts.length} engines: ${config.dockerHosts.join(', ')}`)

  try {
    if (config.runOnce) {
      startup.push('Running a one time update.')
      await announce(startup, config, notifier, log)
      const report = await session(undefined, 'once').catch(() => undefined)
      if (!report) return 1
      const engineFailed = report.engines?.some((e) => e.error !== undefined) ?? false
      return report.failed.length > 0 || (report.configErrors?.length ?? 0) > 0 || engineFailed ? 1 : 0
    }

    const polls = !config.httpApiUpdate || config.httpApiPeriodicPolls
    const spec = parseSchedule(config.schedule, deps.env.TZ, { timezoneSource: 'env TZ' })
    if (polls) spec.next(deps.now()) // a schedule that never fires stops here, before any work
    await runner.startup?.()
    // The health check's heartbeat: written where --health-check reads it (inside a container by default).
    const heartbeatFile = config.heartbeatFile || (deps.inContainer ? DEFAULT_HEARTBEAT_FILE : '')
    const beat = startHeartbeat({
      file: heartbeatFile,
      intervalMs: config.heartbeatIntervalMs,
      ping: () => runner.ping?.() ?? Promise.resolve(),
      now: deps.now,
      pid: deps.pid,
      onError: (message) => log.warn({ notify: false }, message),
    })
    heartbeat = beat
    const api = apiOn
      ? await startApi({ config, deps, log, status, metrics, lock, session, heartbeat: beat, startup })
      : undefined

    const next = polls ? spec.next(deps.now()) : 0
    if (polls) {
      if (config.updateOnStart) startup.push('Running an update now (--update-on-start), then on schedule.')
      startup.push(`Scheduling first run: ${new Date(next).toISOString()}`)
      startup.push(`Note that the first check will be performed in ${describeDelay(next - deps.now())}`)
    } else startup.push('Periodic polls are off: updates run only through the HTTP API.')
    status?.setNextCheck(polls ? next : null)
    await announce(startup, config, notifier, log)

    if (polls && config.updateOnStart && !stop.signal.aborted) {
      await lock.tryRun(() => session()).catch(() => {})
    } else if (config.httpApiUi && !stop.signal.aborted) {
      // the page shows what is stale before the first scheduled pass (nothing is updated)
      void lock.tryRun(() => session(undefined, 'check')).catch(() => {})
    }
    if (polls)
      await runSchedule({
        spec,
        first: next,
        deps,
        log,
        status,
        metrics,
        lock,
        session,
        heartbeat: beat,
        signal: stop.signal,
      })
    else if (!stop.signal.aborted) {
      beat.sleeping(null)
      await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }))
    }
    await lock.idle()
    await api?.close()
    log.info({ notify: false }, 'Stopped')
    return 0
  } finally {
    await heartbeat?.stop()
    offShutdown()
    await notifier.close()
    await runner.close?.()
  }
}

// --- internal ---

type Log = ReturnType<typeof createLogger>
type Metrics = import('../api/metrics.ts').Metrics
type SessionLock = ReturnType<typeof createSessionLock>
/** One session (update, check or API pass) with its status, notifications, metrics and log lines. */
type Session = (
  images?: ImageReference[],
  trigger?: SessionTrigger,
  hosts?: string[],
) => Promise<SessionReport>

/** The logger (its entries feed the notifier) and the notifier, with the legacy notification flags mapped. */
function createReporting(config: WatchtowerConfig, deps: CliDeps): { log: Log; notifier: Notifier } {
  let notifier: Notifier | undefined
  const legacy = legacyNotificationUrls(config.legacy)
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    noColor: config.noColor,
    stream: deps.stderr,
    secrets: [
      ...configSecrets({ ...config, notificationUrls: [...config.notificationUrls, ...legacy.urls] }),
      ...proxySecrets(deps.env),
    ],
    now: deps.now,
    onEntry: (e) => notifier?.entry(e),
  })
  for (const w of config.warnings) log.warn({ notify: false }, w)

  for (const w of legacy.warnings) log.warn({ notify: false }, w)
  // Notification requests follow HTTPS_PROXY / HTTP_PROXY / NO_PROXY like the registry requests.
  try {
    useNotificationProxies(createProxyRules(proxyConfigFromEnv(deps.env)))
  } catch (cause) {
    throw new ConfigError((cause as Error).message, { source: 'HTTPS_PROXY / HTTP_PROXY', cause })
  }
  notifier = createNotifier({
    urls: [...config.notificationUrls, ...legacy.urls],
    template: config.notificationTemplate,
    reportMode: config.notificationReport,
    titleTag: config.notificationTitleTag || config.legacy.emailSubjectTag,
    skipTitle: config.notificationSkipTitle,
    hostname: config.hostname,
    delaySeconds:
      config.legacy.emailDelaySeconds > 0
        ? config.legacy.emailDelaySeconds
        : config.notificationsDelaySeconds,
    level: config.notificationsLevel,
    logStdout: config.notificationLogStdout,
    splitByContainer: config.notificationSplitByContainer,
    stdout: deps.stdout,
    sleep: (ms) => deps.sleep(ms),
    onError: (message, err) => log.error({ notify: false, err }, message),
    logInfo: (message) => log.info({ notify: false }, message),
    ...(deps.notificationEndpoints ? { endpoints: deps.notificationEndpoints } : {}),
  })
  return { log, notifier }
}

interface SessionParts {
  config: WatchtowerConfig
  deps: CliDeps
  log: Log
  notifier: Notifier
  runner: SessionRunner
  status: StatusStore | undefined
  metrics: Metrics | undefined
  signal: AbortSignal
  /** The heartbeat, once the daemon started it (none for --run-once). */
  heartbeat: () => HeartbeatMonitor | undefined
}

function createSession(parts: SessionParts): Session {
  const { config, deps, log, notifier, runner, status, metrics, signal } = parts
  const runSession = async (
    images: ImageReference[] | undefined,
    trigger: SessionTrigger,
    hosts?: string[],
  ) => {
    const checkOnly = trigger === 'check'
    if (!checkOnly) notifier.startSession()
    status?.beginSession(trigger)
    let report: SessionReport
    try {
      report = await runner.run({
        ...(images ? { images } : {}),
        ...(hosts ? { hosts } : {}),
        signal,
        ...(checkOnly ? { checkOnly } : {}),
      })
    } catch (err) {
      await status?.endSession({ error: (err as Error).message, partial: true })
      const code = (err as { code?: string }).code
      const why = (err as Error).message
      if (
        code === 'WT_UPDATER_ENGINE' &&
        /ECONNREFUSED|ENOENT|EACCES|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND/.test(why)
      ) {
        log.error(
          `Cannot reach the Docker engine at ${config.dockerHost} (set DOCKER_HOST or --host): ${why}`,
        )
      } else log.error(`Update session failed: ${why}`)
      log.debug({ err, notify: false }, 'session error details')
      if (!checkOnly) await notifier.endSession(undefined)
      throw err
    }
    await status?.endSession({ report, partial: images !== undefined && images.length > 0 })
    log.info(
      {
        scanned: report.scanned.length,
        updated: report.updated.length,
        failed: report.failed.length,
        ...(checkOnly ? { notify: false } : {}),
      },
      checkOnly ? 'Check done' : 'Session done',
    )
    if (checkOnly) return report
    metrics?.recordScan(report)
    await notifier.endSession(report)
    return report
  }
  return async (images, trigger = images ? 'api' : 'schedule', hosts) => {
    parts.heartbeat()?.sessionStarted()
    try {
      return await runSession(images, trigger, hosts)
    } finally {
      parts.heartbeat()?.sessionEnded()
      deps.idle?.()
    }
  }
}

/** What the HTTP API and the schedule loop share: sessions, one at a time, and what reports them. */
interface SessionDriverParts {
  deps: CliDeps
  log: Log
  status: StatusStore | undefined
  metrics: Metrics | undefined
  lock: SessionLock
  session: Session
  heartbeat: HeartbeatMonitor
}

interface ApiParts extends SessionDriverParts {
  config: WatchtowerConfig
  /** Startup lines: where the API (and the status page) listen is added. */
  startup: string[]
}

/** The HTTP API, listening; an update through it waits for (or skips beside) a running session. */
async function startApi(parts: ApiParts): Promise<import('../api/server.ts').ApiServer> {
  const { config, deps, log, status, metrics, lock, session, heartbeat, startup } = parts
  const { createApiServer } = await import('../api/server.ts')
  const api = createApiServer({
    token: config.httpApiToken,
    update: config.httpApiUpdate,
    ...(metrics ? { metrics } : {}),
    health: () => heartbeat.health(),
    ...(status ? { status, ui: config.httpApiUi } : {}),
    onCheck: async () => {
      const r = await lock.tryRun(() => session(undefined, 'check'))
      return { skipped: r.skipped }
    },
    log,
    now: deps.now,
    onUpdate: async (images, hosts) => {
      if (images || hosts)
        return { skipped: false, report: await lock.run(() => session(images, 'api', hosts)) }
      const r = await lock.tryRun(() => session(undefined, 'api'))
      return r.skipped ? r : { skipped: false, report: r.value }
    },
  })
  const where = await api.listen(config.httpApiPort, config.httpApiHost)
  startup.push(`The HTTP API is enabled at ${config.httpApiHost || ''}:${where.port}.`)
  if (config.httpApiUi)
    startup.push(`The status page is served at http://${config.httpApiHost || 'localhost'}:${where.port}/`)
  deps.onListening?.(where.port)
  return api
}

interface ScheduleParts extends SessionDriverParts {
  spec: ReturnType<typeof parseSchedule>
  /** The first run's time (ms). */
  first: number
  signal: AbortSignal
}

/** The daemon loop: a session at every tick of the schedule until the signal aborts. */
async function runSchedule(parts: ScheduleParts): Promise<void> {
  const { spec, deps, log, status, metrics, lock, session, heartbeat, signal } = parts
  const skippedTick = () => {
    log.debug({ notify: false }, 'Skipped a scheduled update: another one is running')
    metrics?.recordSkipped()
  }
  let next = parts.first
  while (!signal.aborted) {
    const wait = next - deps.now()
    if (wait > 0) {
      // timers overflow past ~24.8 days (@monthly, @yearly): sleep in chunks and look again
      heartbeat.sleeping(deps.now() + Math.min(wait, MAX_SLEEP_MS))
      await deps.sleep(Math.min(wait, MAX_SLEEP_MS), signal)
      if (signal.aborted) break
      if (deps.now() < next) continue
    }
    // robfig/cron takes the next run from the tick, not from the end of the session
    const fired = deps.now()
    const r = await lock.tryRun(() => session()).catch(() => ({ skipped: false as const }))
    if (r.skipped) skippedTick()
    next = spec.next(fired)
    // ticks that came while the session ran: upstream's scheduler fired them and found the lock taken
    while (next <= deps.now() && !signal.aborted) {
      skippedTick()
      next = spec.next(next)
    }
    status?.setNextCheck(next)
  }
}

async function announce(
  lines: string[],
  config: WatchtowerConfig,
  notifier: Notifier,
  log: Logger,
): Promise<void> {
  for (const l of lines) log.info({ notify: false }, l)
  if (!config.noStartupMessage) await notifier.sendLines(lines)
}
