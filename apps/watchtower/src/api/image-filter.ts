import { type ImageReference, parseReference } from '@watchtower-ts/registry-client'
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

function hasExplicitTag(ref: ImageReference): boolean {
  const name = ref.original.split('@')[0]!
  return name.lastIndexOf(':') > name.lastIndexOf('/')
}

/** Does the container image `image` match one of the filters? Registry + repository; the tag too when the filter names one. */
export function imageMatches(image: string, filters: readonly ImageReference[]): boolean {
  let ref: ImageReference
  try {
    ref = parseReference(image)
  } catch {
    return false
  }
  return filters.some(
    (f) =>
      f.registry === ref.registry &&
      f.repository === ref.repository &&
      (!hasExplicitTag(f) || f.tag === ref.tag),
  )
}
