import { completeSelfUpdate, createDockerEngine, selfUpdateFromEnv } from '@watchtower-ts/docker-updater'
import type { WatchtowerConfig } from '../config/types.ts'
import type { CliDeps } from '../deps.ts'
import { createLogger } from '../log.ts'
import { progressLine } from '../progress.ts'

/** `--self-update-helper`: the helper container's whole job (docker-updater's completeSelfUpdate). */
export async function selfUpdateHelper(config: WatchtowerConfig, deps: CliDeps): Promise<number> {
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    noColor: config.noColor,
    stream: deps.stderr,
  })
  const job = selfUpdateFromEnv(deps.env)
  if (!job) {
    log.error(
      '--self-update-helper is for the helper container of a self-update: WT_SELF_UPDATE_OLD/NEW are not set',
    )
    return 2
  }
  const engine = createDockerEngine({ host: config.dockerHost, env: deps.env })
  try {
    const result = await completeSelfUpdate({
      engine,
      ...job,
      onEvent: (e) => {
        if (e.type === 'warning') log.warn({ container: e.container }, e.message)
        else if (e.type === 'step') log.debug({ container: e.container }, e.step)
        else if (e.type !== 'hook') {
          const line = progressLine(e)
          log[line.level](line.fields, line.msg)
        }
      },
    })
    log.info(
      result === 'finished'
        ? `Self-update finished: ${job.newId.slice(0, 12)} runs, ${job.oldId.slice(0, 12)} removed`
        : `Self-update rolled back: ${job.oldId.slice(0, 12)} runs again`,
    )
    return result === 'finished' ? 0 : 1
  } catch (err) {
    log.error(`Self-update failed: ${(err as Error).message}`)
    return 1
  }
}
