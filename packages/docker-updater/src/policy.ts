/**
 * A container's update policy: the `tag-policy`, `tag-include`, `tag-exclude`, `tag-transform` and
 * `cooldown-delay` labels, each over the pass's default (`tagPolicy`, `cooldownDelayMs`).
 */
import { parseCooldownDelay } from './cooldown.ts'
import type { ContainerInspect } from './engine.ts'
import { LABELS, labelOf } from './labels.ts'
import type { ContainerPolicy } from './stale.ts'
import { parseTagPolicy, type TagPolicy } from './tag-policy.ts'
import type { UpdateOptions } from './types.ts'

const DIGEST: TagPolicy = { kind: 'digest' }

/** The policy, or `{ error }` naming the container and label that cannot be read. */
export function policyOf(
  c: ContainerInspect,
  options: Pick<UpdateOptions, 'tagPolicy' | 'cooldownDelayMs'>,
  monitorOnly: boolean,
): ContainerPolicy | { error: string } {
  const labels = c.Config.Labels
  const name = c.Name.replace(/^\//, '')
  const kind = labelOf(labels, LABELS.tagPolicy)
  const include = labelOf(labels, LABELS.tagInclude)
  const exclude = labelOf(labels, LABELS.tagExclude)
  const transform = labelOf(labels, LABELS.tagTransform)
  const delay = labelOf(labels, LABELS.cooldownDelay)
  try {
    let tag = options.tagPolicy ?? DIGEST
    if ([kind, include, exclude, transform].some((v) => v !== undefined)) {
      const fromLabels = parseTagPolicy(
        {
          policy: kind ?? tag.kind,
          ...(include === undefined ? {} : { include }),
          ...(exclude === undefined ? {} : { exclude }),
          ...(transform === undefined ? {} : { transform }),
        },
        `container ${name}: label ${LABELS.tagPolicy.replace(/tag-policy$/, 'tag-*')}`,
      )
      // labels that are not given keep the default's filters
      tag = {
        ...fromLabels,
        ...(include === undefined && tag.include ? { include: tag.include } : {}),
        ...(exclude === undefined && tag.exclude ? { exclude: tag.exclude } : {}),
        ...(transform === undefined && tag.transform ? { transform: tag.transform } : {}),
      }
    }
    const delayMs =
      delay === undefined
        ? (options.cooldownDelayMs ?? 0)
        : parseCooldownDelay(delay, `container ${name}: label ${LABELS.cooldownDelay}`)
    return { tag, delayMs, monitorOnly }
  } catch (error) {
    return { error: (error as Error).message }
  }
}
