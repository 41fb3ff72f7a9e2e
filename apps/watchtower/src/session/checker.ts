// The registry side of a pass: docker-updater's ImageChecker over one registry client, so a pass
// (over one engine or a whole fleet) asks each registry once: one ping, one token per registry.

import type { ImageChecker } from '@watchtower-ts/docker-updater'
import { isDockerHubHost } from '@watchtower-ts/image-reference'
import type { RegistryClient } from '@watchtower-ts/registry-client'
import type { Logger } from 'pino'
import type { WatchtowerConfig } from '../config/types.ts'
import type { RunObserver } from '../status/store.ts'

const LOCAL_CONFIG_ERRORS = new Set([
  'WT_CREDENTIALS_CONFIG_INVALID_JSON',
  'WT_CREDENTIALS_CONFIG_INVALID',
  'WT_CREDENTIALS_FILE_UNREADABLE',
  'WT_CREDENTIALS_ENV_INVALID',
])

/** An error in the user's own files or env (config.json, `*_FILE`), not the registry's. */
function isLocalConfigError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && LOCAL_CONFIG_ERRORS.has(code)
}

/** `--warn-on-head-failure`: auto warns only for Docker Hub and ghcr.io (as upstream). */
export function warnOnHeadFailure(mode: WatchtowerConfig['warnOnHeadFailure'], registry: string): boolean {
  if (mode === 'always') return true
  if (mode === 'never') return false
  return isDockerHubHost(registry) || registry === 'ghcr.io'
}

/**
 * One pass's checker. Errors in the user's own configuration are collected in `configErrors`
 * (logged once at error level; --run-once exits non-zero for them).
 */
export function registryChecker(
  registry: RegistryClient,
  config: Pick<WatchtowerConfig, 'warnOnHeadFailure'>,
  log: Logger,
  configErrors: Set<string>,
  observer?: RunObserver,
): ImageChecker {
  return {
    // One ping per registry and one token for all of a registry's repositories per pass.
    // A reference that does not parse is left out here and reported by its own check.
    prepare: (refs) => registry.startCycle(refs),
    async check(ref, digests) {
      const imageRef = ref.original
      try {
        const r = await registry.check(ref, digests)
        observer?.checked(imageRef, digests[0], r.remote.digest)
        return { status: r.status, remoteDigest: r.remote.digest }
      } catch (err) {
        // Upstream falls back to a plain pull here; watchtower-ts does not update on an unverified answer,
        // so the message says what happens instead (the container is reported as failed once per pass).
        const message = `Could not do a head request for "${imageRef}"; not updating it this pass: ${(err as Error).message}`
        if (isLocalConfigError(err)) {
          // not the registry's fault: the user's own files are broken; never at debug level only
          if (!configErrors.has((err as Error).message)) log.error((err as Error).message)
          configErrors.add((err as Error).message)
        } else if (warnOnHeadFailure(config.warnOnHeadFailure, ref.registry)) log.warn(message)
        else log.debug(message)
        throw err
      }
    },
    // Tag policies and the cooldown delay: the same client, session and token (scope pull).
    async listTags(ref) {
      const list = await registry.listTags(ref)
      return { tags: list.tags, truncated: list.truncated }
    },
    async imageConfig(ref, platform) {
      const info = await registry.imageConfig(ref, platform)
      return {
        platform: info.platform,
        ...(info.created === undefined ? {} : { created: info.created }),
      }
    },
  }
}
