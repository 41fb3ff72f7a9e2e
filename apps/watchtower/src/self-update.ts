// The app's side of self-update. The design itself lives in docker-updater (self-update.ts there):
// the running instance hands over to a helper container from the new image, started with
// `--self-update-helper`, which stops the old instance, starts the new one, health-gates it and
// removes the old one (or puts it back). Here: finding our own container, settling a half-done
// self-update at start, and upstream's "one watchtower per scope" rule, which leaves every party
// of a self-update alone.
import {
  type DockerEngine,
  isSelfUpdateParty,
  isSwarmTask,
  LABELS,
  type SettleResult,
  settleSelfUpdate,
} from '@watchtower-ts/docker-updater'
import type { Logger } from 'pino'

/** The command the helper container runs (appended to the new image's ENTRYPOINT). */
export const SELF_UPDATE_HELPER_COMMAND = ['--self-update-helper'] as const

/** This process's container id, from the bind mounts Docker makes for /etc/hostname, /etc/hosts, /etc/resolv.conf. */
export function detectSelfContainerId(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ')
    if (!['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'].includes(f[4] ?? '')) continue
    const m = /\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)$/.exec(f[3] ?? '')
    if (m) return m[1]
  }
  return undefined
}

const bare = (name: string) => name.replace(/^\//, '')

/**
 * At start and before every pass: settle a self-update an earlier helper or instance left
 * half-done (a running instance renamed aside by a helper that then died takes its name back).
 * Never throws.
 */
export async function settleAtStart(
  engine: DockerEngine,
  selfId: string,
  cleanup: boolean,
  log: Logger,
): Promise<SettleResult | undefined> {
  try {
    const result = await settleSelfUpdate({
      engine,
      selfId,
      cleanup,
      onEvent: (e) => {
        if (e.type === 'warning') log.warn({ container: e.container }, e.message)
      },
    })
    if (result === 'in-progress')
      log.info({ notify: false }, 'A self-update is in progress: its helper finishes it')
    return result
  } catch (err) {
    log.error(`Could not settle an unfinished self-update: ${(err as Error).message}`)
    return undefined
  }
}

/**
 * Upstream's CheckForMultipleWatchtowerInstances: stop and remove every other
 * watchtower container (in our scope, when scoped), except the parties of a self-update.
 * Run only when this process knows its own container, so a watchtower run outside a container
 * never stops one.
 */
export async function removeOtherInstances(
  engine: DockerEngine,
  selfId: string,
  scope: string,
  log: Logger,
): Promise<number> {
  const self = await engine.inspectContainer(selfId)
  let removed = 0
  for (const s of await engine.listContainers({ all: true })) {
    const labels = s.Labels ?? {}
    if (s.Id === selfId || labels[LABELS.watchtower] !== 'true' || isSelfUpdateParty(s, self)) continue
    if (scope && (labels[LABELS.scope] ?? '') !== scope) continue
    // A watchtower-ts service's tasks are the cluster's (start-first runs two at once for a moment).
    if (isSwarmTask(labels)) continue
    log.info(`Removing another watchtower instance ${bare(s.Names[0] ?? s.Id)}`)
    await engine
      .removeContainer(s.Id, { force: true })
      .catch((err: Error) => log.warn(`could not remove it: ${err.message}`))
    removed++
  }
  return removed
}
