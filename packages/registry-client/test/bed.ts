/** Helpers for the bed tier: real registries, real token server, real TLS, real credentials. Not exported. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createCredentialResolver, createRegistryCredentials } from '@watchtower-ts/credentials'
import { tempDir as sharedTempDir } from '@watchtower-ts/test-utils'
import type { Testbed } from '@watchtower-ts/testbed'
import { createTrustStore, type TrustOptions, type TrustStore } from '@watchtower-ts/tls'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { afterAll, afterEach } from 'vitest'
import type { CredentialResolverLike } from '../src/_deps.ts'
import { type CreateRegistryClientOptions, createRegistryClient, type RegistryClient } from '../src/client.ts'
import type { RegistryEvent } from '../src/events.ts'

export interface BedClient {
  client: RegistryClient
  events: RegistryEvent[]
  trust: TrustStore
  close(): Promise<void>
}

let emptyCertsD: string | undefined
afterAll(() => {
  emptyCertsD = undefined
})

/** A temp folder, removed when the test file that asked for it is done. */
export const tempDir = (prefix: string): Promise<string> => sharedTempDir(`rc-${prefix}`)

/** A trust store that knows the bed's CA (and no machine certs.d unless given). */
export async function bedTrust(bed: Testbed, options: TrustOptions = {}): Promise<TrustStore> {
  emptyCertsD ??= await tempDir('certsd')
  return createTrustStore({ caFile: bed.tls.caCert, certsDirs: [emptyCertsD], ...options })
}

/** alice's credentials from the bed's real config.json (auths, base64), read by @watchtower-ts/credentials. */
export function aliceResolver(bed: Testbed): CredentialResolverLike {
  return createCredentialResolver({ env: {}, configFile: join(bed.dockerConfigDir, 'config.json') })
}

/** A real config.json in a temp folder with `auths` for the basic and token registries. */
export async function resolverFor(
  bed: Testbed,
  username: string,
  password: string,
): Promise<CredentialResolverLike> {
  const dir = await tempDir('config')
  const auth = Buffer.from(`${username}:${password}`).toString('base64')
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      auths: { [bed.registries.basic.host]: { auth }, [bed.registries.token.host]: { auth } },
    }),
  )
  return createCredentialResolver({ env: {}, configFile: join(dir, 'config.json') })
}

export async function anonymousResolver(): Promise<CredentialResolverLike> {
  const dir = await tempDir('config')
  await writeFile(join(dir, 'config.json'), '{}')
  return createCredentialResolver({ env: {}, configFile: join(dir, 'config.json') })
}

export function identityTokenResolver(registry: string, refreshToken: string): CredentialResolverLike {
  const creds = createRegistryCredentials({
    registry,
    kind: 'identity-token',
    username: '<token>',
    secret: refreshToken,
    source: { kind: 'auths', description: 'test identitytoken' },
  })
  return { resolve: async () => creds }
}

export async function bedClient(
  bed: Testbed,
  credentials: CredentialResolverLike,
  options: Partial<CreateRegistryClientOptions> & { trustOptions?: TrustOptions } = {},
): Promise<BedClient> {
  const { trustOptions, ...rest } = options
  const trust = await bedTrust(bed, trustOptions)
  const events: RegistryEvent[] = []
  const client = createRegistryClient({
    credentials,
    trust,
    tokenCache: createTokenCache(),
    userAgent: 'wt-registry-client-test',
    timeoutMs: 15_000,
    onEvent: (e) => events.push(e),
    ...rest,
  })
  return {
    client,
    events,
    trust,
    close: async () => {
      await client.close()
      await trust.close()
    },
  }
}

/**
 * Registers an `afterEach` that closes every client `make` opened during the test; returns `make`
 * (the same arguments as `bedClient`).
 */
export function trackBedClients(): (...args: Parameters<typeof bedClient>) => Promise<BedClient> {
  const opened: BedClient[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()))
  })
  return async (...args) => {
    const c = await bedClient(...args)
    opened.push(c)
    return c
  }
}
