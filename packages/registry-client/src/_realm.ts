import { displayUrl } from './_http.ts'
import type { Challenge } from './challenge.ts'
import { RegistryError } from './errors.ts'

/**
 * The Bearer challenge's realm, resolved against the registry URL (a relative realm such as
 * `/token` is legal). Refuses to let credentials go to a realm that downgrades https to http, and,
 * with `sameHostOnly`, any realm whose host name is not the registry's.
 */
export function resolveRealm(
  ch: Challenge,
  registry: string,
  scheme: 'https' | 'http',
  apiHost: string,
  credentialKind: 'basic' | 'identity-token' | 'anonymous',
  sameHostOnly = false,
): URL {
  const raw = ch.params['realm'] ?? ''
  let realm: URL
  try {
    realm = new URL(raw, `${scheme}://${apiHost}/v2/`)
  } catch (cause) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `registry sent an unusable token realm "${raw}"`, {
      registry,
      cause,
    })
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `token realm must be http(s), got "${raw}"`, { registry })
  }
  if (scheme === 'https' && realm.protocol === 'http:' && credentialKind !== 'anonymous') {
    throw new RegistryError(
      'WT_REGISTRY_INSECURE_REALM',
      `refusing to send credentials to a token realm that downgrades https to http: ${displayUrl(realm)}`,
      { registry, url: displayUrl(realm) },
    )
  }
  // A realm on another host gets the Basic credentials (or the refresh token), as with Docker.
  // `realmSameHost` refuses it; the port may differ (a token server beside the registry).
  if (
    sameHostOnly &&
    realm.hostname.toLowerCase() !== new URL(`${scheme}://${apiHost}`).hostname.toLowerCase()
  ) {
    throw new RegistryError(
      'WT_REGISTRY_INSECURE_REALM',
      `refusing a token realm on another host than the registry ${apiHost} (--registry-realm-same-host): ${displayUrl(realm)}`,
      { registry, url: displayUrl(realm) },
    )
  }
  return realm
}
