// docker-updater's events and results → log lines (upstream's wording where it has one). Every
// line carries `event` (and `phase`) fields, so the json and logfmt formats hold the same events.
import type { ContainerReport, ProgressEvent } from '@watchtower-ts/docker-updater'

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  /** Structured fields; `notify: false` keeps the line out of notifications. */
  fields: Record<string, unknown>
}

/** Codes of a container the pass could not check or pull: reported as Failed, with the credcheck hint. */
export const UNCHECKED_CODES: ReadonlySet<string> = new Set([
  'WT_UPDATER_CHECK_FAILED',
  'WT_UPDATER_PULL_FAILED',
])

export const isUnchecked = (c: Pick<ContainerReport, 'state' | 'errorCode'>): boolean =>
  c.state === 'skipped' && c.errorCode !== undefined && UNCHECKED_CODES.has(c.errorCode)

/** What to run to see why the registry refused (the credcheck CLI's own syntax). */
export const credcheckHint = (image: string): string => `\`credcheck ${image}\` shows why`

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12)

/** 850ms, 2.4s, 1m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

/** 512 B, 3.2 MB, 1.05 GB (decimal units, as `docker pull` prints). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = n / 1000
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`
}

type EventOf<T extends ProgressEvent['type']> = Extract<ProgressEvent, { type: T }>
/** The three recreate steps, each logged when it begins and when it ends. */
type StepEvent = EventOf<'stop' | 'create' | 'start'>

/** Fields of a line kept out of notifications. */
const QUIET = { notify: false }

/** One log line per progress event. */
export function progressLine(e: ProgressEvent): LogLine {
  switch (e.type) {
    case 'found-stale':
      return foundStaleLine(e)
    case 'pull':
      return pullLine(e)
    case 'stop':
    case 'create':
    case 'start':
      return e.phase === 'begin' ? stepBeginLine(e) : stepEndLine(e)
    case 'healthy':
      return healthyLine(e)
    case 'rolled-back':
      return {
        level: 'warn',
        msg: `Rolled back /${e.container} to its old container (${short(e.containerId)}) in ${formatDuration(e.durationMs)}: ${e.reason}`,
        fields: { event: e.type, container: e.container, durationMs: e.durationMs },
      }
    case 'remove-image':
      return { level: 'info', msg: `Removing image ${short(e.imageId)}`, fields: { event: e.type } }
  }
}

function foundStaleLine(e: EventOf<'found-stale'>): LogLine {
  if (e.tag)
    return {
      level: 'info',
      msg: `Found newer tag ${e.tag.to} for ${e.image} (${e.tag.from} → ${e.tag.to})`,
      fields: {
        event: e.type,
        container: e.container,
        from: e.tag.from,
        to: e.tag.to,
        durationMs: e.durationMs,
      },
    }
  return {
    level: 'info',
    msg: `Found new ${e.image} image${e.latest ? ` (${short(e.latest)})` : ''}`,
    fields: { event: e.type, container: e.container, durationMs: e.durationMs },
  }
}

function pullLine(e: EventOf<'pull'>): LogLine {
  if (e.phase === 'begin')
    return {
      level: 'info',
      msg: `Pulling ${e.image}`,
      fields: { ...QUIET, event: e.type, phase: e.phase, container: e.container },
    }
  if (e.phase === 'progress') {
    const pct = e.totalBytes > 0 ? Math.floor((e.currentBytes / e.totalBytes) * 100) : 0
    return {
      level: 'info',
      msg: `Pulling ${e.image}: ${formatBytes(e.currentBytes)} of ${formatBytes(e.totalBytes)} (${pct}%)`,
      fields: {
        ...QUIET,
        event: e.type,
        phase: e.phase,
        currentBytes: e.currentBytes,
        totalBytes: e.totalBytes,
        durationMs: e.durationMs,
      },
    }
  }
  return {
    level: 'info',
    msg: `Pulled ${e.image}${e.totalBytes > 0 ? ` (${formatBytes(e.totalBytes)})` : ''} in ${formatDuration(e.durationMs)}`,
    fields: {
      ...QUIET,
      event: e.type,
      phase: e.phase,
      totalBytes: e.totalBytes,
      durationMs: e.durationMs,
    },
  }
}

/** Stop and create begin at info and are notified; start begins at debug, quietly. */
function stepBeginLine(e: Extract<StepEvent, { phase: 'begin' }>): LogLine {
  const fields = { event: e.type, phase: e.phase, container: e.container }
  switch (e.type) {
    case 'stop':
      return {
        level: 'info',
        msg: `Stopping /${e.container} (${short(e.containerId)}) with ${e.signal}`,
        fields,
      }
    case 'create':
      return { level: 'info', msg: `Creating /${e.container}`, fields }
    case 'start':
      return {
        level: 'debug',
        msg: `Starting container /${e.container} (${short(e.containerId)})`,
        fields: { ...QUIET, ...fields },
      }
  }
}

const ENDED = { stop: 'Stopped', create: 'Created', start: 'Started' } as const

/** Every step's end: `Stopped /web (abc) in 1.2s`, kept out of notifications. */
function stepEndLine(e: Extract<StepEvent, { phase: 'end' }>): LogLine {
  return {
    level: 'info',
    msg: `${ENDED[e.type]} /${e.container} (${short(e.containerId)}) in ${formatDuration(e.durationMs)}`,
    fields: {
      ...QUIET,
      event: e.type,
      phase: e.phase,
      container: e.container,
      durationMs: e.durationMs,
    },
  }
}

function healthyLine(e: EventOf<'healthy'>): LogLine {
  const fields = { ...QUIET, event: e.type, container: e.container, durationMs: e.durationMs }
  return e.health === 'healthy'
    ? {
        level: 'info',
        msg: `/${e.container} (${short(e.containerId)}) is healthy after ${formatDuration(e.durationMs)}`,
        fields,
      }
    : {
        level: 'debug',
        msg: `/${e.container} (${short(e.containerId)}) is running (no healthcheck)`,
        fields,
      }
}

/**
 * The line for a container's result at the end of the pass, if it needs one. A container the
 * registry refused (or that could not be pulled) gets upstream's "Unable to update container"
 * at warn, with the cause and the credcheck hint; a deliberate skip (pinned, local-only) an info line.
 */
export function outcomeLine(c: ContainerReport): LogLine | undefined {
  // A swarm service is updated by the cluster: its lines name it as a service.
  const service = c.kind === 'service'
  const what = service ? `service ${c.name}` : c.name
  const fields = {
    ...(service ? { service: c.name } : { container: c.name }),
    image: c.image,
    ...(c.tagChange ? { from: c.tagChange.from, to: c.tagChange.to } : {}),
  }
  if (c.waiting) {
    return {
      level: 'info',
      msg: `Waiting to update ${what}: ${c.waiting.image} is too new (${c.waiting.reason})`,
      fields: { ...fields, event: 'waiting', waitMs: c.waiting.waitMs },
    }
  }
  switch (c.state) {
    case 'updated':
      if (c.tagChange)
        return {
          level: 'info',
          msg: `Updated ${what} (${c.image} → ${c.tagChange.newImage})`,
          fields,
        }
      return {
        level: 'info',
        msg: `Updated ${what} (${c.image}${service && c.newImageId ? `@${c.newImageId}` : ''})`,
        fields,
      }
    case 'stale':
      // Containers get theirs from the progress events; services have none.
      return service ? { level: 'info', msg: `Found new ${c.image} image for ${what}`, fields } : undefined
    case 'failed':
    case 'rolled-back':
      return { level: 'error', msg: `Update of ${what} failed: ${c.error ?? c.state}`, fields }
    case 'skipped':
      if (isUnchecked(c))
        return {
          level: 'warn',
          msg: `Unable to update ${service ? what : `container /${c.name}`}: ${c.error ?? 'unknown error'}. Proceeding to next. ${credcheckHint(c.image)}`,
          fields: { ...fields, event: 'unchecked', code: c.errorCode },
        }
      return { level: 'info', msg: `Skipped ${what}: ${c.error ?? 'no reason given'}`, fields }
    default:
      return undefined
  }
}
