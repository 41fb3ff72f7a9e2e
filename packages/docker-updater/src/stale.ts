import {
  type ImageReference,
  isImageId,
  parseReference,
  sameRepositoryDigests,
} from '@watchtower-ts/image-reference'
import pLimit from 'p-limit'
import { createPullProgress } from './_pull-progress.ts'
import { ageGate } from './cooldown.ts'
import type { ContainerInspect, DockerEngine, ImageInspect } from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import { pickNewerTag, type TagPolicy } from './tag-policy.ts'
import type { AuthProvider, ContainerReport, ImageChecker, ImagePlatform, UpdateEvent } from './types.ts'

/** What a tag policy or the cooldown delay added to a container's outcome. */
export interface PolicyOutcome {
  tagChange?: NonNullable<ContainerReport['tagChange']>
  waiting?: NonNullable<ContainerReport['waiting']>
  notes?: string[]
}

export type Staleness =
  | ({ state: 'fresh'; latestImageId: string } & PolicyOutcome)
  | ({ state: 'stale'; latestImageId: string } & PolicyOutcome)
  | { state: 'skipped'; reason: string; code?: string; notes?: string[] }

/** A container's update policy, resolved from its labels and the options (run-update.ts). */
export interface ContainerPolicy {
  tag: TagPolicy
  /** Minimum age of a new image, ms; 0 = off. */
  delayMs: number
  /** Report a newer tag without pulling it. */
  monitorOnly: boolean
}

/** Candidate tags tried at most per container (a tag without the container's platform is passed over). */
const MAX_CANDIDATES = 5

export interface StalenessContext {
  engine: DockerEngine
  checker: ImageChecker | undefined
  auth: AuthProvider | undefined
  concurrency: number
  /** Progress events (pull, found-stale). @default none */
  emit?: (event: UpdateEvent) => void
  /** @default Date.now */
  now?: () => number
  /** @default 5000 */
  pullProgressIntervalMs?: number
}

interface CheckOutcome {
  status: 'fresh' | 'stale'
  remoteDigest?: string
  forImageId: string
}

/**
 * One pass's staleness oracle: one registry check and at most one pull per distinct image
 * reference, however many containers share it; checks and pulls bounded by `concurrency`.
 */
export function createStalenessChecker(ctx: StalenessContext) {
  const limit = pLimit(ctx.concurrency)
  const checks = new Map<string, Promise<CheckOutcome>>()
  const pulls = new Map<string, Promise<void>>()
  const tagLists = new Map<string, Promise<{ tags: readonly string[]; truncated?: boolean }>>()
  const configs = new Map<string, Promise<{ created?: number; platform?: ImagePlatform }>>()
  let tagListCalls = 0
  let configCalls = 0
  let checkCalls = 0
  let pullCalls = 0
  const emit = ctx.emit ?? (() => {})
  const now = ctx.now ?? Date.now
  const bare = (name: string | undefined) => (name ?? '').replace(/^\//, '')

  const check = (
    ref: ImageReference,
    key: string,
    image: ImageInspect,
    digests: string[],
  ): Promise<CheckOutcome> => {
    let p = checks.get(key)
    if (!p) {
      if (!ctx.checker)
        throw new UpdaterError('WT_UPDATER_INVALID_OPTION', 'no ImageChecker given (needed unless no-pull)')
      const checker = ctx.checker
      p = limit(async () => {
        checkCalls++
        const r = await checker.check(ref, digests)
        return { status: r.status, remoteDigest: r.remoteDigest, forImageId: image.Id }
      })
      checks.set(key, p)
    }
    return p
  }

  const pull = (parsed: ImageReference, container: string): Promise<void> => {
    const ref = parsed.original
    let p = pulls.get(ref)
    if (!p) {
      p = limit(async () => {
        pullCalls++
        const auth = await ctx.auth?.engineAuth(parsed)
        emit({ type: 'pull', phase: 'begin', image: ref, container })
        const progress = createPullProgress({
          now,
          intervalMs: ctx.pullProgressIntervalMs ?? 5000,
          report: (t) => emit({ type: 'pull', phase: 'progress', image: ref, ...t }),
        })
        const started = now()
        try {
          await ctx.engine.pullImage(ref, {
            ...(auth === undefined ? {} : { auth }),
            onProgress: (m) => progress.message(m),
          })
        } finally {
          tagIds.delete(ref)
        }
        const { totalBytes } = progress.totals()
        emit({ type: 'pull', phase: 'end', image: ref, totalBytes, durationMs: now() - started })
      })
      pulls.set(ref, p)
    }
    return p
  }

  const tagsOf = (ref: ImageReference) => {
    const repository = ref.name
    let p = tagLists.get(repository)
    if (!p) {
      const listTags = ctx.checker?.listTags
      if (!listTags) throw new UpdaterError('WT_UPDATER_INVALID_OPTION', 'the ImageChecker cannot list tags')
      p = limit(() => {
        tagListCalls++
        return listTags.call(ctx.checker, ref)
      })
      tagLists.set(repository, p)
    }
    return p
  }

  const configOf = (ref: ImageReference, platform: ImagePlatform) => {
    const key = `${ref.original}|${platformName(platform)}`
    let p = configs.get(key)
    if (!p) {
      const imageConfig = ctx.checker?.imageConfig
      if (!imageConfig)
        throw new UpdaterError('WT_UPDATER_INVALID_OPTION', 'the ImageChecker cannot read image configs')
      p = limit(() => {
        configCalls++
        return imageConfig.call(ctx.checker, ref, platform)
      })
      configs.set(key, p)
    }
    return p
  }

  // The local tag's image, inspected once per reference and pass (a pull of the reference forgets it).
  const tagIds = new Map<string, Promise<string>>()
  const localTagId = (ref: string): Promise<string> => {
    let p = tagIds.get(ref)
    if (!p) {
      p = ctx.engine.inspectImage(ref).then((i) => i.Id)
      tagIds.set(ref, p)
    }
    return p
  }
  /**
   * Where `ref` points locally, when nothing was pulled for it: the inspected image itself when its
   * RepoTags name the reference as written (a tag points at one image), else an inspect of the tag.
   */
  const currentTagId = (ref: string, parsed: ImageReference, image: ImageInspect) => {
    const tags = image.RepoTags ?? []
    if (tags.includes(ref) || (parsed.defaultTag && tags.includes(`${ref}:latest`)))
      return Promise.resolve(image.Id)
    return localTagId(ref)
  }

  async function staleness(
    container: ContainerInspect,
    image: ImageInspect | undefined,
    ref: string,
    noPull: boolean,
    policy?: ContainerPolicy,
  ): Promise<Staleness> {
    const started = now()
    const found = (latest: string | undefined, tag?: { from: string; to: string; newImage: string }) =>
      emit({
        type: 'found-stale',
        container: bare(container.Name),
        image: ref,
        ...(latest ? { latest } : {}),
        ...(tag ? { tag } : {}),
        durationMs: now() - started,
      })
    if (isImageId(ref)) return skip(`image is referenced by ID (${ref}); there is no tag to update from`)
    let parsed: ImageReference
    try {
      parsed = parseReference(ref)
    } catch (cause) {
      return skip(`check of ${ref} failed: ${describeError(cause)}`, 'WT_UPDATER_CHECK_FAILED')
    }
    if (parsed.digest !== undefined)
      return skip(`image is pinned by digest (${ref}); pinned images are not updated`)
    if (!image) return skip('no image info: the container image could not be inspected')
    try {
      if (noPull) {
        const latest = await currentTagId(ref, parsed, image)
        if (latest !== container.Image) found(latest)
        return { state: latest === container.Image ? 'fresh' : 'stale', latestImageId: latest }
      }
      const digests = sameRepositoryDigests(parsed, image.RepoDigests ?? [])
      if (digests.length === 0) {
        return skip(`local-only image: no RepoDigest of ${parsed.name}, nothing to compare with the registry`)
      }
      const notes: string[] = []
      const platform = platformOf(image)
      if (policy && policy.tag.kind !== 'digest') {
        const moved = await tagMove(container, parsed, ref, policy, platform, notes, found)
        if (moved) return moved
      }
      const withNotes = <T extends Staleness>(s: T): T => (notes.length > 0 ? { ...s, notes } : s)
      const key = `${parsed.name}:${parsed.tag ?? 'latest'}`
      let outcome = await check(parsed, key, image, digests)
      let status = outcome.status
      if (outcome.forImageId !== image.Id) {
        if (outcome.remoteDigest !== undefined) {
          const remote = outcome.remoteDigest
          status = digests.some((d) => d.endsWith(`@${remote}`)) ? 'fresh' : 'stale'
        } else {
          outcome = await check(parsed, `${key}|${image.Id}`, image, digests)
          status = outcome.status
        }
      }
      if (status === 'stale' && policy && policy.delayMs > 0) {
        const waiting = await gate(parsed, platform, policy.delayMs, notes)
        if (waiting) return withNotes({ state: 'fresh', latestImageId: container.Image, waiting })
      }
      if (status === 'stale') {
        found(outcome.remoteDigest)
        try {
          await pull(parsed, bare(container.Name))
        } catch (cause) {
          return skip(`pull of ${ref} failed: ${describeError(cause)}`, 'WT_UPDATER_PULL_FAILED')
        }
      }
      // As upstream: the local tag decides (a tag moved by hand also counts as stale).
      const latest = status === 'stale' ? await localTagId(ref) : await currentTagId(ref, parsed, image)
      if (status !== 'stale' && latest !== container.Image) found(latest)
      return withNotes({ state: latest === container.Image ? 'fresh' : 'stale', latestImageId: latest })
    } catch (cause) {
      return skip(`check of ${ref} failed: ${describeError(cause)}`, 'WT_UPDATER_CHECK_FAILED')
    }
  }

  /** The cooldown gate for `ref` (a new digest or a new tag): `waiting` when it is too young. */
  async function gate(parsed: ImageReference, platform: ImagePlatform, delayMs: number, notes: string[]) {
    const ref = parsed.original
    let created: number | undefined
    try {
      created = (await configOf(parsed, platform)).created
    } catch (cause) {
      notes.push(
        `the created time of ${ref} could not be read (${describeError(cause)}); cooldown not applied`,
      )
      return undefined
    }
    if (created === undefined) notes.push(`${ref} has no created time; cooldown not applied`)
    const g = ageGate(created, now(), delayMs)
    return g.ok ? undefined : { image: ref, created: created!, waitMs: g.waitMs, reason: g.reason }
  }

  /**
   * A tag policy's move: the newest allowed tag that has the container's platform (a candidate
   * without it is passed over with a note, the next best tried, at most MAX_CANDIDATES), gated by
   * the cooldown delay, pulled unless monitor-only. `undefined`: no newer tag, check the digest.
   */
  async function tagMove(
    container: ContainerInspect,
    parsed: ImageReference,
    ref: string,
    policy: ContainerPolicy,
    platform: ImagePlatform,
    notes: string[],
    found: (latest: string | undefined, tag?: { from: string; to: string; newImage: string }) => void,
  ): Promise<Staleness | undefined> {
    const current = parsed.defaultTag ? undefined : parsed.tag
    if (current === undefined) {
      notes.push(`tag policy ${policy.tag.kind}: ${ref} has no tag (latest) to move from`)
      return undefined
    }
    const base = ref.slice(0, ref.lastIndexOf(':'))
    let list: { tags: readonly string[]; truncated?: boolean }
    try {
      list = await tagsOf(parsed)
    } catch (cause) {
      return skip(`tag list of ${base} failed: ${describeError(cause)}`, 'WT_UPDATER_CHECK_FAILED', notes)
    }
    const tried = new Set<string>()
    for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
      const choice = pickNewerTag(
        current,
        list.tags.filter((t) => !tried.has(t)),
        policy.tag,
      )
      if (choice.kind === 'not-a-version') {
        notes.push(choice.reason)
        return undefined
      }
      if (choice.kind === 'none') {
        if (list.truncated)
          notes.push(
            `the tag list of ${base} was cut at ${list.tags.length} tags; a newer tag may be missing`,
          )
        return undefined
      }
      tried.add(choice.tag)
      const newImage = `${base}:${choice.tag}`
      let config: { created?: number; platform?: ImagePlatform }
      let newRef: ImageReference
      try {
        newRef = parseReference(newImage)
        config = await configOf(newRef, platform)
      } catch (cause) {
        notes.push(`tag ${choice.tag} passed over: ${describeError(cause)}`)
        continue
      }
      if (config.platform && !samePlatform(config.platform, platform)) {
        notes.push(
          `tag ${choice.tag} passed over: its image is ${platformName(config.platform)}, the container runs ${platformName(platform)}`,
        )
        continue
      }
      const tagChange = { from: current, to: choice.tag, newImage }
      const g = ageGate(config.created, now(), policy.delayMs)
      if (!g.ok) {
        const waiting = { image: newImage, created: config.created!, waitMs: g.waitMs, reason: g.reason }
        return { state: 'fresh', latestImageId: container.Image, waiting, ...withList(notes) }
      }
      if (policy.delayMs > 0 && config.created === undefined)
        notes.push(`${newImage} has no created time; cooldown not applied`)
      found(undefined, tagChange)
      if (policy.monitorOnly) {
        return { state: 'stale', latestImageId: container.Image, tagChange, ...withList(notes) }
      }
      try {
        await pull(newRef, bare(container.Name))
      } catch (cause) {
        return skip(`pull of ${newImage} failed: ${describeError(cause)}`, 'WT_UPDATER_PULL_FAILED', notes)
      }
      const latest = await localTagId(newImage)
      return { state: 'stale', latestImageId: latest, tagChange, ...withList(notes) }
    }
    notes.push(`no usable tag among the ${MAX_CANDIDATES} newest candidates`)
    return undefined
  }

  return {
    staleness,
    stats: () => ({ checks: checkCalls, pulls: pullCalls, tagLists: tagListCalls, configs: configCalls }),
  }
}

const withList = (notes: string[]) => (notes.length > 0 ? { notes } : {})

/** The running image's platform (the engine's inspect: Os, Architecture, Variant). */
export function platformOf(image: ImageInspect): ImagePlatform {
  const os = typeof image.Os === 'string' && image.Os ? image.Os : 'linux'
  const architecture =
    typeof image.Architecture === 'string' && image.Architecture ? image.Architecture : 'amd64'
  const variant = typeof image.Variant === 'string' && image.Variant ? image.Variant : undefined
  return variant ? { os, architecture, variant } : { os, architecture }
}

function samePlatform(a: ImagePlatform, b: ImagePlatform): boolean {
  if (a.os !== b.os || a.architecture !== b.architecture) return false
  return a.variant === undefined || b.variant === undefined || a.variant === b.variant
}

function platformName(p: ImagePlatform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

function skip(reason: string, code?: string, notes: string[] = []): Staleness {
  return {
    state: 'skipped',
    reason,
    ...(code === undefined ? {} : { code }),
    ...withList(notes),
  }
}
