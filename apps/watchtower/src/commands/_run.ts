import type { WatchtowerConfig } from '../config/types.ts'
import type { CliDeps } from '../deps.ts'
import { WatchtowerError } from '../errors.ts'

/** Runs watchtower with a resolved configuration; returns the exit code. */
export async function runWatchtower(config: WatchtowerConfig, deps: CliDeps): Promise<number> {
  for (const w of config.warnings) deps.stderr.write(`watchtower: warning: ${w}\n`)
  if (!deps.createRunner) throw new WatchtowerError('WT_WATCHTOWER_UPDATE', 'no session runner is available')
  return 0
}
