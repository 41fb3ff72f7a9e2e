/**
 * The check/update cycle built from the packages directly (what the watchtower CLI wires):
 * credentials → tls → registry-client → docker-updater. Used when the CLI cannot run a cycle yet,
 * and by the footprint daemon stand-in.
 */
import { createCredentialResolver } from '@watchtower-ts/credentials'
import {
  createDockerEngine,
  type ImageChecker,
  runUpdate,
  type UpdateReport,
} from '@watchtower-ts/docker-updater'
import { createRegistryClient, type ImageReference } from '@watchtower-ts/registry-client'
import type { Testbed } from '@watchtower-ts/testbed'
import { createTrustStore } from '@watchtower-ts/tls'

export interface DirectCycleOptions {
  /** Scope label value of the containers to check. */
  scope: string
  /** Image references of those containers (one token covers them all). */
  refs: readonly string[]
  monitorOnly: boolean
}

export interface DirectUpdater {
  cycle(options: DirectCycleOptions): Promise<UpdateReport>
  close(): Promise<void>
}

/** One long-lived updater (token cache and connections kept across cycles, as in the daemon). */
export async function createDirectUpdater(bed: Testbed, userAgent: string): Promise<DirectUpdater> {
  const env = { DOCKER_CONFIG: bed.dockerConfigDir, DOCKER_HOST: bed.docker.host }
  const credentials = createCredentialResolver({ env, useEnv: false })
  const trust = await createTrustStore({ caFile: bed.tls.caCert })
  const client = createRegistryClient({ credentials, trust, userAgent })
  const engine = createDockerEngine({ host: bed.docker.host, env })
  const checker: ImageChecker = {
    async check(ref, local) {
      const r = await client.check(ref, local)
      return { status: r.status, remoteDigest: r.remote.digest }
    },
  }
  const auth = {
    engineAuth: async (ref: ImageReference) => (await credentials.resolve(ref.registry)).engineAuth(),
  }
  return {
    async cycle(options) {
      client.startCycle(options.refs)
      return runUpdate({
        engine,
        checker,
        auth,
        scope: options.scope,
        monitorOnly: options.monitorOnly,
      })
    },
    async close() {
      await client.close()
      await trust.close()
    },
  }
}
