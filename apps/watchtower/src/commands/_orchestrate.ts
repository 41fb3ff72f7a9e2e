import { createDockerEngine } from '@watchtower-ts/docker-updater'
import type { WatchtowerConfig } from '../config/types.ts'
import type { CliDeps } from '../deps.ts'
import { createLogger } from '../log.ts'
import { runOrchestrator } from '../self-update.ts'

/** `--self-update-orchestrator <id>`: the helper container's whole job. */
export async function orchestrate(config: WatchtowerConfig, deps: CliDeps): Promise<number> {
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    noColor: config.noColor,
    stream: deps.stderr,
  })
  const engine = createDockerEngine({ host: config.dockerHost, env: deps.env })
  try {
    await runOrchestrator(engine, config.selfUpdateOrchestrator, log, {
      stopTimeoutMs: Math.max(config.stopTimeoutMs, 10_000),
      sleep: (ms) => deps.sleep(ms),
    })
    return 0
  } catch (err) {
    log.error(`Self-update failed: ${(err as Error).message}`)
    return 1
  }
}
