import type { WatchtowerConfig } from './config/types.ts'
import { WatchtowerError } from './errors.ts'
import type { RunnerContext, SessionRunner } from './session/types.ts'

/** Composes tls → credentials → token cache → registry client → docker-updater into a session runner. */
export async function createSessionRunner(
  _config: WatchtowerConfig,
  _ctx: RunnerContext,
): Promise<SessionRunner> {
  throw new WatchtowerError('WT_WATCHTOWER_UPDATE', 'the session runner is not wired yet')
}
