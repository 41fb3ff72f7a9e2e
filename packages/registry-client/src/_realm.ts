import { displayUrl } from './_http.ts'
import type { Challenge } from './challenge.ts'
import { RegistryError } from './errors.ts'

/**
 * The Bearer challenge's realm, resolved against the registry URL (a relative realm such as
 * `/token` is legal). Refuses to let credentials go to a realm that downgrades https to http.
 */
export function resolveRealm(
  ch: Challenge,
  registry: string,
  scheme: 'https' | 'http',
  apiHost: string,
  credentialKind: 'basic' | 'identity-token' | 'anonymous',
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
  return realm
}
