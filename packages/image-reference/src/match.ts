import { type ImageReference, tryParseReference } from './reference.ts'

/**
 * Does `ref` match the selection `filter`? The registry and repository must be the same; the tag
 * too when the filter names one (`nginx` matches every nginx tag, `nginx:1.27` only that tag).
 * A filter's digest is not compared.
 * @example matchesReference(parseReference('nginx:1.27'), parseReference('docker.io/library/nginx')) // true
 */
export function matchesReference(ref: ImageReference, filter: ImageReference): boolean {
  return (
    filter.registry === ref.registry &&
    filter.repository === ref.repository &&
    (filter.tag === undefined || filter.defaultTag || filter.tag === ref.tag)
  )
}

/** True when `ref` matches at least one of `filters`. */
export function matchesAnyReference(ref: ImageReference, filters: readonly ImageReference[]): boolean {
  return filters.some((f) => matchesReference(ref, f))
}

/**
 * The `RepoDigests` entries (`repo@digest`) of an image that belong to the repository of `ref`
 * (spelling aside: `nginx@...` and `docker.io/library/nginx@...` are the same repository). Only
 * the repository part is parsed; comparing the digest is the caller's business.
 */
export function sameRepositoryDigests(ref: ImageReference, repoDigests: readonly string[]): string[] {
  // Normalizing changes only the front of a name (registry aliases, `library/`), never its last
  // path component: entries whose last component differs are left out without parsing them (an
  // image pushed to hundreds of repositories has hundreds of entries, for every container).
  const last = ref.repository.slice(ref.repository.lastIndexOf('/') + 1)
  return repoDigests.filter((entry) => {
    const at = entry.indexOf('@')
    if (at <= 0) return false
    const name = entry.slice(0, at)
    const start = at - last.length
    if (start < 0 || !name.endsWith(last) || (start > 0 && name[start - 1] !== '/')) return false
    return tryParseReference(name)?.name === ref.name
  })
}
