/** Test helpers for the MockAgent tier (wire cases the test bed cannot produce). Not exported. */
import { createRegistryCredentials, type RegistryCredentials } from '@watchtower-ts/credentials'
import { MockAgent } from 'undici'
import { afterEach } from 'vitest'
import { type CreateRegistryClientOptions, createRegistryClient, type RegistryClient } from '../src/client.ts'
import type { RegistryEvent } from '../src/events.ts'

export const SECRET = 's3cr3t-Pa55:word'
export const TOKEN = 'tok-ABCDEF-0123456789'

export function basicCreds(registry: string, username = 'alice', secret = SECRET): RegistryCredentials {
  return createRegistryCredentials({
    registry,
    kind: 'basic',
    username,
    secret,
    source: { kind: 'env', description: 'env REPO_USER' },
  })
}

export function identityCreds(registry: string): RegistryCredentials {
  return createRegistryCredentials({
    registry,
    kind: 'identity-token',
    username: '<token>',
    secret: SECRET,
    source: { kind: 'auths', description: 'config.json auths' },
  })
}

export function anonymous(registry: string): RegistryCredentials {
  return createRegistryCredentials({ registry, kind: 'anonymous' })
}

export interface MockSetup {
  agent: MockAgent
  client: RegistryClient
  events: RegistryEvent[]
  sleeps: number[]
  /** Current fake time, advanced by `sleep`. */
  clock: { now: number }
}

export function mockClient(
  creds: (registry: string) => RegistryCredentials,
  options: Partial<CreateRegistryClientOptions> = {},
): MockSetup {
  const agent = new MockAgent({ connections: 1 })
  agent.disableNetConnect()
  const events: RegistryEvent[] = []
  const sleeps: number[] = []
  const clock = { now: Date.parse('2026-06-01T12:00:00Z') }
  const client = createRegistryClient({
    credentials: { resolve: async (r) => creds(r) },
    dispatcher: agent,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock.now += ms
    },
    onEvent: (e) => events.push(e),
    ...options,
  })
  return { agent, client, events, sleeps, clock }
}

export function tokenBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ token: TOKEN, expires_in: 300, ...extra })
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`

/**
 * Registers an `afterEach` that asserts the last setup handed to `use` has no pending
 * interceptors (every mocked request was made) and closes its agent; returns `use`.
 */
export function trackMockSetups(): (s: MockSetup) => MockSetup {
  let setup: MockSetup | undefined
  afterEach(async () => {
    setup?.agent.assertNoPendingInterceptors()
    await setup?.agent.close()
    setup = undefined
  })
  return (s) => {
    setup = s
    return s
  }
}

/** The Bearer challenge of https://reg.example (its token realm is on the same host). */
export const CHALLENGE = 'Bearer realm="https://reg.example/token",service="reg"'

/** The `/v2/` ping of https://reg.example answering with `CHALLENGE`. */
export function bearerPing(s: MockSetup): void {
  s.agent
    .get('https://reg.example')
    .intercept({ path: '/v2/', method: 'GET' })
    .reply(401, '', { headers: { 'www-authenticate': CHALLENGE } })
}
