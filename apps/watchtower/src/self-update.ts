// Self-update without orphans or port conflicts. The running instance never
// replaces itself: it starts a short-lived helper container from the NEW image
// (`--self-update-orchestrator <old id>`), which stops the old instance (so its
// ports and API socket are free), creates and starts the new one under the same
// name, removes the old one (or rolls back), and exits; the helper is
// auto-removed. Aside names follow docker-updater's `<name>.wt-old.<id12>.r`
// so an interrupted swap is settled by the next run's recovery.
import {
  type ContainerInspect,
  type DockerEngine,
  isSwarmTask,
  planRecreate,
} from '@watchtower-ts/docker-updater'
import type { Logger } from 'pino'

export const WATCHTOWER_LABEL = 'com.centurylinklabs.watchtower'
export const ORCHESTRATOR_LABEL = 'com.centurylinklabs.watchtower.orchestrator'
const SCOPE_LABEL = 'com.centurylinklabs.watchtower.scope'

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

/** Starts the helper that replaces `self` with a container of its (already pulled) new image. */
export async function startSelfUpdate(
  engine: DockerEngine,
  self: ContainerInspect,
  log: Logger,
  stopTimeoutMs: number,
): Promise<string> {
  const name = `${bare(self.Name)}-wt-orchestrator-${self.Id.slice(0, 12)}`
  const id = await engine.createContainer(name, {
    Image: self.Config.Image,
    Cmd: ['--self-update-orchestrator', self.Id, '--stop-timeout', `${Math.round(stopTimeoutMs / 1000)}s`],
    Env: self.Config.Env ?? [],
    Labels: { [ORCHESTRATOR_LABEL]: 'true' },
    Healthcheck: { Test: ['NONE'] },
    HostConfig: {
      Binds: self.HostConfig.Binds ?? null,
      NetworkMode: self.HostConfig.NetworkMode ?? 'default',
      AutoRemove: true,
    },
  } as Parameters<DockerEngine['createContainer']>[1])
  await engine.startContainer(id)
  log.info(`Started ${name} to replace this watchtower container with its new image`)
  return id
}

async function waitStopped(
  engine: DockerEngine,
  id: string,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const c = await engine.inspectContainer(id).catch(() => undefined)
    if (!c?.State.Running) return true
    await sleep(250)
  }
  return false
}

/** The helper's job: stop the old instance, bring up the new one under its name, remove the old one. */
export async function runOrchestrator(
  engine: DockerEngine,
  oldId: string,
  log: Logger,
  options: { stopTimeoutMs: number; sleep: (ms: number) => Promise<void> },
): Promise<void> {
  const old = await engine.inspectContainer(oldId)
  const name = bare(old.Name)
  const oldImage = await engine.inspectImage(old.Image).catch(() => undefined)
  const plan = planRecreate(old, oldImage, { image: old.Config.Image })
  log.info(`Replacing watchtower container ${name} (${old.Id.slice(0, 12)}) with ${old.Config.Image}`)
  if (old.State.Running) {
    await engine.killContainer(old.Id, old.Config.StopSignal || 'SIGTERM').catch(() => {})
    if (!(await waitStopped(engine, old.Id, options.stopTimeoutMs, options.sleep))) {
      await engine.killContainer(old.Id, 'SIGKILL').catch(() => {})
      await waitStopped(engine, old.Id, 10_000, options.sleep)
    }
  }
  const aside = `${name}.wt-old.${old.Id.slice(0, 12)}.r`
  await engine.renameContainer(old.Id, aside)
  let newId: string | undefined
  try {
    newId = await engine.createContainer(name, plan.body)
    for (const n of plan.extraNetworks) await engine.connectNetwork(n.name, newId, n.endpoint)
    await engine.startContainer(newId)
    await options.sleep(1000)
    const c = await engine.inspectContainer(newId)
    if (!c.State.Running) throw new Error(`the new container exited (${c.State.Status})`)
  } catch (err) {
    log.error(`Self-update failed, restoring ${name}: ${(err as Error).message}`)
    if (newId) await engine.removeContainer(newId, { force: true }).catch(() => {})
    await engine.renameContainer(old.Id, name)
    await engine.startContainer(old.Id)
    throw err
  }
  // the new instance's startup may have removed it already
  await engine.removeContainer(old.Id, { force: true }).catch(() => {})
  log.info(`Replaced ${name}: ${newId.slice(0, 12)} runs ${old.Config.Image}`)
}

/**
 * Upstream's CheckForMultipleWatchtowerInstances: stop and remove every other
 * watchtower container (in our scope, when scoped). Run only when this process
 * knows its own container, so a watchtower run outside a container never stops one.
 */
export async function removeOtherInstances(
  engine: DockerEngine,
  selfId: string,
  scope: string,
  log: Logger,
): Promise<number> {
  let removed = 0
  for (const s of await engine.listContainers({ all: true })) {
    const labels = s.Labels ?? {}
    if (s.Id === selfId || labels[WATCHTOWER_LABEL] !== 'true' || labels[ORCHESTRATOR_LABEL] === 'true')
      continue
    if (scope && (labels[SCOPE_LABEL] ?? '') !== scope) continue
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
