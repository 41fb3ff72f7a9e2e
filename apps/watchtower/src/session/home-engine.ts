// Which engine of a fleet runs watchtower itself: self-update, the other instances to remove and
// the own swarm service all live there, not on whichever engine --host named first.

import type { Logger } from 'pino'
import type { EngineTarget } from './engines.ts'

/**
 * The engine that has the own container `selfId`: every engine is asked (inspect) in parallel, in
 * the order given; the first that has it wins. The first engine when none has it (an engine that
 * cannot be reached counts as not having it) or when there is no own container.
 */
export async function findHomeEngine(
  targets: readonly EngineTarget[],
  selfId: string | undefined,
  log: Logger,
): Promise<EngineTarget> {
  const first = targets[0]!
  if (!selfId || targets.length === 1) return first
  const has = await Promise.all(
    targets.map((t) =>
      t.engine.inspectContainer(selfId).then(
        () => true,
        () => false,
      ),
    ),
  )
  const home = targets[has.indexOf(true)]
  if (home)
    log.debug(
      { notify: false, host: home.host },
      `Own container ${selfId.slice(0, 12)} is on engine ${home.host}`,
    )
  else
    log.debug(
      { notify: false, host: first.host },
      `Own container ${selfId.slice(0, 12)} is on none of the engines: self-update and other instances use the first, ${first.host}`,
    )
  return home ?? first
}
