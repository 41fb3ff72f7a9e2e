// The health check that means something. The running daemon keeps a heartbeat file up to date:
// when the Docker engine last answered a ping (every `intervalMs`) and by when the schedule loop
// must come round again (its next wake-up, or the longest a session may take). `--health-check`,
// run by Docker's HEALTHCHECK in the same container, reads that file: unhealthy when the engine
// has not answered for three intervals or the loop is past its deadline. The HTTP API's
// /v1/health answers from the same live state.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Where the daemon writes its heartbeat and `--health-check` reads it (`--heartbeat-file`). */
export const DEFAULT_HEARTBEAT_FILE = '/tmp/watchtower-ts/heartbeat.json'
/** A session that runs longer than this counts as a stuck loop. */
export const SESSION_LIMIT_MS = 60 * 60_000
/** Slack on the loop's deadline (timers fire late on a loaded machine). */
const LOOP_GRACE_MS = 60_000
/** The engine is lost when its last answer is older than this many intervals. */
const ENGINE_INTERVALS = 3

export interface Heartbeat {
  version: 1
  pid: number
  intervalMs: number
  startedAt: number
  writtenAt: number
  /** Last time the engine answered a ping. */
  engineOkAt?: number
  /** Why the last ping failed (no secrets: an error message from the engine client). */
  engineError?: string
  /** The loop must come round before this time; `null`: it waits for API calls only. */
  loopDeadline: number | null
}

export interface Health {
  healthy: boolean
  reason: string
}

/** Pure verdict on a heartbeat at time `now`. */
export function assessHeartbeat(hb: Heartbeat | undefined, now: number): Health {
  if (!hb)
    return {
      healthy: false,
      reason: 'no heartbeat yet: the daemon has not reached the engine since it started',
    }
  const engineLimit = ENGINE_INTERVALS * hb.intervalMs
  const since = now - (hb.engineOkAt ?? hb.startedAt)
  if (hb.engineOkAt === undefined && since > engineLimit) {
    return {
      healthy: false,
      reason: `the Docker engine has not answered since start (${Math.round(since / 1000)} s)${hb.engineError ? `: ${hb.engineError}` : ''}`,
    }
  }
  if (hb.engineOkAt !== undefined && since > engineLimit) {
    return {
      healthy: false,
      reason: `the Docker engine has not answered for ${Math.round(since / 1000)} s${hb.engineError ? `: ${hb.engineError}` : ''}`,
    }
  }
  if (now - hb.writtenAt > engineLimit) {
    return {
      healthy: false,
      reason: `the heartbeat is ${Math.round((now - hb.writtenAt) / 1000)} s old: the daemon is stuck`,
    }
  }
  if (hb.loopDeadline !== null && now > hb.loopDeadline) {
    return {
      healthy: false,
      reason: `the schedule loop is stuck: it should have come round ${Math.round((now - hb.loopDeadline) / 1000)} s ago`,
    }
  }
  return { healthy: true, reason: 'ok' }
}

export async function readHeartbeat(file: string): Promise<Heartbeat | undefined> {
  try {
    const hb = JSON.parse(await readFile(file, 'utf8')) as Heartbeat
    return hb && hb.version === 1 ? hb : undefined
  } catch {
    return undefined
  }
}

export interface HeartbeatOptions {
  /** Where to write; '' keeps the state in memory only (for /v1/health). */
  file: string
  intervalMs: number
  /** Pings the engine; rejects when it does not answer. */
  ping: () => Promise<void>
  now: () => number
  pid: number
  onError?: (message: string) => void
}

export interface HeartbeatMonitor {
  /** The loop sleeps until `wakeAt` (ms since the epoch); `null`: it waits for API calls only. */
  sleeping(wakeAt: number | null): void
  sessionStarted(): void
  sessionEnded(): void
  health(): Health
  stop(): Promise<void>
}

/** Starts pinging the engine every `intervalMs` and writing the heartbeat file. */
export function startHeartbeat(o: HeartbeatOptions): HeartbeatMonitor {
  const hb: Heartbeat = {
    version: 1,
    pid: o.pid,
    intervalMs: o.intervalMs,
    startedAt: o.now(),
    writtenAt: o.now(),
    loopDeadline: null,
  }
  let wakeDeadline: number | null = null
  let sessions = 0
  let sessionDeadline = 0
  let writing: Promise<void> = Promise.resolve()
  let warnedWrite = false
  const deadline = () => (sessions > 0 ? sessionDeadline : wakeDeadline)
  const write = () => {
    hb.writtenAt = o.now()
    hb.loopDeadline = deadline()
    if (!o.file) return
    const snapshot = `${JSON.stringify(hb)}\n`
    writing = writing.then(async () => {
      try {
        await mkdir(dirname(o.file), { recursive: true })
        const tmp = `${o.file}.${o.pid}.tmp`
        await writeFile(tmp, snapshot)
        await rename(tmp, o.file)
      } catch (err) {
        if (!warnedWrite) o.onError?.(`cannot write the heartbeat file ${o.file}: ${(err as Error).message}`)
        warnedWrite = true
      }
    })
  }
  const beat = async () => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        o.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${o.intervalMs} ms`)), o.intervalMs)
        }),
      ])
      hb.engineOkAt = o.now()
      delete hb.engineError
    } catch (err) {
      hb.engineError = (err as Error).message.slice(0, 200)
    } finally {
      clearTimeout(timer)
    }
    write()
  }
  let running = beat()
  const timer = setInterval(() => {
    running = running.then(beat)
  }, o.intervalMs)
  timer.unref()
  return {
    sleeping(wakeAt) {
      wakeDeadline =
        wakeAt === null ? null : wakeAt + Math.max(LOOP_GRACE_MS, ENGINE_INTERVALS * o.intervalMs)
      write()
    },
    sessionStarted() {
      if (sessions++ === 0) sessionDeadline = o.now() + SESSION_LIMIT_MS
      write()
    },
    sessionEnded() {
      sessions = Math.max(0, sessions - 1)
      write()
    },
    health: () => assessHeartbeat({ ...hb, loopDeadline: deadline() }, o.now()),
    async stop() {
      clearInterval(timer)
      await running
      await writing
    },
  }
}
