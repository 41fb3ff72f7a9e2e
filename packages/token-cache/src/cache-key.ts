import { createHash } from 'node:crypto'
import { TokenCacheError } from './errors.ts'
import type { TokenKey } from './types.ts'

/**
 * Normalizes a list of scopes into a sorted set: entries may hold several space-separated scopes,
 * actions are sorted and de-duplicated (`repository:a:push,pull` ≡ `repository:a:pull,push`).
 */
export function normalizeScopes(scopes: readonly string[]): string[] {
  const set = new Set<string>()
  for (const entry of scopes) {
    for (const scope of entry.split(/\s+/)) {
      if (scope !== '') set.add(normalizeScope(scope))
    }
  }
  return [...set].sort()
}

function normalizeScope(scope: string): string {
  const i = scope.lastIndexOf(':')
  // `type:name:actions`; the name may itself hold ':' (e.g. a port), so split at the last one.
  if (i <= 0 || scope.indexOf(':') === i) return scope
  const actions = [...new Set(scope.slice(i + 1).split(','))].filter((a) => a !== '').sort()
  return `${scope.slice(0, i)}:${actions.join(',')}`
}

/**
 * The string a `TokenKey` is stored under: registry (when given), realm, service, the sorted scope set and a hash of the
 * identity. The identity is hashed (it is meant to be a fingerprint already, but a secret passed by
 * mistake must not end up in a key that could be logged).
 */
export function cacheKey(key: TokenKey): string {
  if (typeof key.realm !== 'string' || key.realm === '') {
    throw new TokenCacheError('WT_TOKEN_CACHE_INVALID_KEY', 'token cache key has an empty realm')
  }
  if (typeof key.identity !== 'string' || key.identity === '') {
    throw new TokenCacheError(
      'WT_TOKEN_CACHE_INVALID_KEY',
      `token cache key for realm ${key.realm} has an empty identity (use 'anonymous' or a credential fingerprint)`,
    )
  }
  const identity = createHash('sha256').update(key.identity).digest('hex').slice(0, 32)
  const parts = [key.realm, key.service ?? '', normalizeScopes(key.scopes ?? []), identity]
  return JSON.stringify(key.registry === undefined ? parts : [key.registry, ...parts])
}
