import { type ImageReference, matchesAnyReference, tryParseReference } from '@watchtower-ts/image-reference'
import type { ContainerInspect } from './engine.ts'
import { LABELS, labelOf, parseBool } from './labels.ts'

/** Which containers an update pass looks at (containrrr/watchtower semantics). */
export interface SelectionOptions {
  /** Container names (exact, with or without `/`) or regexes that must cover the whole name. @default [] (all) */
  names?: readonly string[]
  /** Names never touched (exact, with or without `/`). Beats the enable label. @default [] */
  disabledNames?: readonly string[]
  /** Only containers labelled `com.centurylinklabs.watchtower.enable=true`. @default false */
  labelEnable?: boolean
  /** Only containers whose scope label equals this; `none` = no/empty/`none` scope label. @default undefined (all) */
  scope?: string
  /** Also `created` and `exited` containers. @default false */
  includeStopped?: boolean
  /** Also `restarting` containers. @default false */
  includeRestarting?: boolean
  /**
   * Only containers and services whose image matches one of these references: same registry and
   * repository, and the same tag when the reference names one (`nginx` selects every nginx tag).
   * @default undefined (every image)
   */
  images?: readonly ImageReference[]
  /** Containers and services whose image matches one of these are left out (same matching as `images`). @default [] */
  skipImages?: readonly ImageReference[]
}

/** Engine status filter for the listing. Paused containers are never included. */
export function listStatuses(options: SelectionOptions): string[] {
  const statuses = ['running']
  if (options.includeStopped) statuses.push('created', 'exited')
  if (options.includeRestarting) statuses.push('restarting')
  return statuses
}

export function matchesNames(name: string, names: readonly string[] | undefined): boolean {
  if (!names || names.length === 0) return true
  const bare = name.replace(/^\//, '')
  for (const filter of names) {
    if (filter === name || filter === bare || `/${filter.replace(/^\//, '')}` === name) return true
    let re: RegExp
    try {
      re = new RegExp(`^/?(?:${filter})$`)
    } catch {
      continue
    }
    if (re.test(name) || re.test(bare)) return true
  }
  return false
}

export function isDisabledName(name: string, disabled: readonly string[] | undefined): boolean {
  if (!disabled) return false
  const bare = name.replace(/^\//, '')
  return disabled.some((d) => d === bare || d === name || d.replace(/^\//, '') === bare)
}

export function inScope(
  labels: Record<string, string> | null | undefined,
  scope: string | undefined,
): boolean {
  if (scope === undefined || scope === '') return true
  const value = labelOf(labels, LABELS.scope)
  if (scope === 'none') return value === undefined || value === '' || value === 'none'
  return value === scope
}

/**
 * Why an image is left out by `images` / `skipImages`, or `undefined` when it is selected. An image
 * that is not a valid reference (an image ID) matches no reference.
 */
export function imageExclusionReason(
  image: string | undefined,
  options: Pick<SelectionOptions, 'images' | 'skipImages'>,
): string | undefined {
  const { images, skipImages } = options
  if (images === undefined && (skipImages === undefined || skipImages.length === 0)) return undefined
  const ref = image === undefined ? undefined : tryParseReference(image)
  if (images !== undefined && (ref === undefined || !matchesAnyReference(ref, images)))
    return 'image not in the list'
  if (skipImages !== undefined && ref !== undefined && matchesAnyReference(ref, skipImages))
    return 'image skipped by name'
  return undefined
}

/**
 * Why a container is not selected, or `undefined` when it is. The image filters are applied when
 * the container's image is known (an inspect, not a listing's shallow entry).
 */
export function exclusionReason(container: ContainerInspect, options: SelectionOptions): string | undefined {
  const labels = container.Config.Labels
  if (!matchesNames(container.Name, options.names)) return 'name not in the list'
  if (container.Config.Image !== undefined || container.Image !== undefined) {
    const why = imageExclusionReason(imageNameOf(container), options)
    if (why !== undefined) return why
  }
  if (isDisabledName(container.Name, options.disabledNames)) return 'disabled by name'
  const enable = parseBool(labelOf(labels, LABELS.enable))
  if (options.labelEnable && enable !== true) return 'no enable label (label-enable is on)'
  if (!inScope(labels, options.scope)) return `not in scope "${options.scope}"`
  if (enable === false) return 'disabled by label'
  return undefined
}

/** Combines a bool flag and its per-container label (OR, or label first with label-take-precedence). */
export function flagOrLabel(
  flag: boolean | undefined,
  labels: Record<string, string> | null | undefined,
  key: string,
  labelTakesPrecedence: boolean | undefined,
): boolean {
  const label = parseBool(labelOf(labels, key))
  if (labelTakesPrecedence && label !== undefined) return label
  return Boolean(flag) || label === true
}

/** Image the update check uses: the zodiac original-image label, else `Config.Image`. */
export function imageNameOf(container: ContainerInspect): string {
  const zodiac = labelOf(container.Config.Labels, LABELS.zodiacOriginalImage)
  return zodiac !== undefined && zodiac !== '' ? zodiac : (container.Config.Image ?? container.Image)
}
