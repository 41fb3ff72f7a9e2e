import { type ImageReference, parseReference } from '@watchtower-ts/image-reference'
import { WatchtowerError } from '../errors.ts'

/** `image=` values: repeatable and comma-separated, each parsed as a real reference (host:port/repo works). */
export function parseImageFilter(values: readonly string[]): ImageReference[] {
  const out: ImageReference[] = []
  for (const v of values.flatMap((x) => x.split(','))) {
    const s = v.trim()
    if (!s) continue
    try {
      out.push(parseReference(s))
    } catch (cause) {
      throw new WatchtowerError('WT_WATCHTOWER_API', `invalid image "${s}": ${(cause as Error).message}`, {
        cause,
      })
    }
  }
  return out
}

/**
 * Both lists at once (an API request's `image=` within `--monitor-image-names`), as one list for
 * docker-updater's `images` selection: an image matches the result exactly when it matches a
 * reference of `a` and one of `b`. Two references of one repository narrow to the one naming a
 * tag (both naming different tags: nothing).
 */
export function narrowImageFilters(
  a: readonly ImageReference[],
  b: readonly ImageReference[],
): ImageReference[] {
  const tagged = (r: ImageReference) => r.tag !== undefined && !r.defaultTag
  const out: ImageReference[] = []
  for (const x of a) {
    for (const y of b) {
      if (x.registry !== y.registry || x.repository !== y.repository) continue
      if (!tagged(x)) out.push(y)
      else if (!tagged(y) || x.tag === y.tag) out.push(x)
    }
  }
  return out
}
