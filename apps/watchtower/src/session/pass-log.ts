// What a pass tells the log as it runs and once it ended. With several engines every line names
// the engine (`host`); with one, the lines are exactly those of a single-engine watchtower.

import type { ProgressEvent, UpdateEvent, UpdateReport } from '@watchtower-ts/docker-updater'
import type { Logger } from 'pino'
import { outcomeLine, progressLine } from '../progress.ts'
import type { RunObserver } from '../status/store.ts'

/**
 * What the status page shows while a container updates: the typed progress events that belong to
 * one container (found-stale is a check's result, not an update, and pull progress names no container).
 */
export function statusStep(e: ProgressEvent): { container: string; step: string } | undefined {
  switch (e.type) {
    case 'pull':
      return e.phase === 'begin' ? { container: e.container, step: 'pulling' } : undefined
    case 'stop':
      return { container: e.container, step: e.phase === 'begin' ? 'stopping' : 'stopped' }
    case 'create':
      return { container: e.container, step: e.phase === 'begin' ? 'creating' : 'created' }
    case 'start':
      return { container: e.container, step: e.phase === 'begin' ? 'starting' : 'started' }
    case 'healthy':
      return { container: e.container, step: e.health === 'healthy' ? 'healthy' : 'running' }
    case 'rolled-back':
      return { container: e.container, step: `rolled back: ${e.reason}` }
    default:
      return undefined
  }
}

/** The docker-updater event handler of one pass (on one engine). */
export function eventLogger(
  log: Logger,
  quiet: { notify?: false },
  observer: RunObserver | undefined,
  host?: string,
): (e: UpdateEvent) => void {
  const on = host === undefined ? {} : { host }
  return (e) => {
    if (e.type === 'warning') log.warn({ container: e.container, ...on }, e.message)
    else if (e.type === 'hook')
      log.info(
        { container: e.container, hook: e.hook, exitCode: e.exitCode, ...on },
        e.output.trim() || `${e.hook} hook done`,
      )
    else if (e.type === 'step') {
      // stop, create, start and health have their own progress lines
      if (!['stop', 'create', 'start', 'health'].includes(e.step)) {
        observer?.progress(e.container, e.step, host)
        log.debug({ container: e.container, notify: false, ...on }, e.step)
      }
    } else {
      const step = statusStep(e)
      if (step) observer?.progress(step.container, step.step, host)
      const line = progressLine(e)
      log[line.level]({ ...line.fields, ...on, ...quiet }, line.msg)
    }
  }
}

/** Logs what a finished pass on one engine found: settled leftovers, swarm notes, outcomes. */
export function logPassResult(
  log: Logger,
  report: UpdateReport,
  quiet: { notify?: false },
  swarmNote: { logged: boolean },
  host?: string,
): void {
  const on = host === undefined ? {} : { host }
  for (const r of report.recovered) {
    log.warn(
      { container: r.name, ...on },
      `Settled a swap left half-done by an earlier run (${r.action})${r.error ? `: ${r.error}` : ''}`,
    )
  }
  const swarm = report.swarm
  if (swarm.note) {
    // Once at info (a daemon would repeat it every pass), then at debug.
    const line = `Swarm ${swarm.role}: ${swarm.note}${swarm.taskContainers ? ` (${swarm.taskContainers} task containers here)` : ''}`
    if (swarmNote.logged) log.debug({ notify: false, ...on }, line)
    else log.info({ notify: false, ...on }, line)
    swarmNote.logged = true
  } else if (swarm.role === 'manager')
    log.debug(
      { notify: false, ...on },
      `Swarm manager: ${swarm.services} services looked at, ${swarm.taskContainers} task containers left to them`,
    )
  for (const c of report.containers) {
    const line = outcomeLine(c)
    if (line) log[line.level]({ ...line.fields, ...on, ...quiet }, line.msg)
    const fields = c.kind === 'service' ? { service: c.name } : { container: c.name }
    for (const w of c.warnings) log.warn({ ...fields, ...on }, w)
    for (const n of c.notes ?? []) log.info({ ...fields, ...on, event: 'tag-policy', ...quiet }, n)
  }
}
