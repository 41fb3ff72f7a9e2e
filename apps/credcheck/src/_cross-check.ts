import type { CredentialResolver } from '@watchtower-ts/credentials'
import { createRegistryClient, isRegistryError, type RegistryEvent } from '@watchtower-ts/registry-client'
import type { ProbeState } from './http-probe.ts'

export interface CrossCheck {
  /** True when watchtower's registry client saw the same digest. */
  agrees: boolean
  digest: string | null
  /** The client's error code when it failed (`WT_REGISTRY_*`). */
  error: string | null
  /** What the client did, as its events tell (no secret in them). */
  events: string[]
}

function describeEvent(e: RegistryEvent): string {
  switch (e.type) {
    case 'ping':
      return `ping ${e.url} → ${e.status}`
    case 'token-request':
      return `token ${e.method} ${e.realm} (${e.grant}) ${e.scopes.join(' ')} → ${e.status}`
    case 'manifest':
      return `manifest ${e.method} ${e.reference} → ${e.status}${e.digest ? ` ${e.digest}` : ''}`
    case 'auth-retry':
      return `auth retry (${e.reason}) → ${e.status}`
    case 'credentials':
      return `credentials ${e.kind}${e.username ? ` ${e.username}` : ''} (${e.source})`
    case 'token':
      return `token ${e.cached ? 'reused from cache' : 'obtained'} for ${e.scopes.join(' ')}`
    case 'rate-limit':
      return `rate limit ${e.remaining ?? '?'}/${e.limit ?? '?'}`
    case 'retry':
      return `retry ${e.attempt} after ${e.delayMs} ms: ${e.reason}`
    case 'platform':
      return `platform ${e.platform.os}/${e.platform.architecture} → ${e.platformDigest ?? 'none'}`
    case 'scheme-fallback':
      return `fallback ${e.from} → ${e.to}: ${e.reason}`
    case 'tags':
      return `tags ${e.repository} page ${e.page} → ${e.status}`
    case 'image-config':
      return `image config ${e.repository}@${e.digest}${e.created ? ` created ${e.created}` : ''}`
  }
}

/**
 * Runs watchtower's own registry client (same resolver, same trust store, no retries) for the
 * same reference, so a difference between this step-by-step walk and what watchtower would see
 * shows up as a warning instead of going unnoticed.
 */
export async function crossCheck(state: ProbeState, resolver: CredentialResolver): Promise<CrossCheck> {
  const events: RegistryEvent[] = []
  const client = createRegistryClient({
    credentials: resolver,
    trust: state.trust!,
    timeoutMs: state.options.timeoutMs,
    maxRetries: 0,
    now: state.options.now,
    userAgent: 'credcheck (watchtower-ts)',
    clientId: 'credcheck',
    onEvent: (e) => events.push(e),
  })
  const expected = state.remote!.digest
  try {
    const remote = await client.getDigest(state.ref!)
    return {
      agrees: remote.digest === expected,
      digest: remote.digest,
      error: null,
      events: events.map(describeEvent),
    }
  } catch (error) {
    return {
      agrees: false,
      digest: null,
      error: isRegistryError(error) ? `${error.code}: ${error.message}` : String(error),
      events: events.map(describeEvent),
    }
  }
}
