/**
 * Remote digest and freshness check.
 *
 * `docker pull <tag>` records the digest the registry served for the tag (the index digest for a
 * multi-platform image) in `RepoDigests`, so a HEAD digest equal to a local one means fresh at the
 * cost of one request. Only when it differs and the tag points at an index is the index fetched (by
 * digest) and the platform child compared, so an image pulled by platform never shows a false update.
 */

import { type ImageReference, parseRepoDigest } from '@watchtower-ts/image-reference'
import type { RegistrySession } from './_session.ts'
import { RegistryError } from './errors.ts'
import type { RegistryEvent } from './events.ts'
import { sessionManifest, sha256Digest } from './manifest.ts'
import { isIndexMediaType } from './media-types.ts'
import { type IndexDescriptor, IndexSchema, type Platform, platformsOf, selectPlatform } from './platform.ts'

export interface RemoteDigest {
  /** Digest the registry serves for the tag (an index digest for multi-platform images). */
  digest: string
  mediaType: string
  /** Digest of the platform's manifest inside the index, when it was resolved. */
  platformDigest?: string
  /** Platforms listed by the index (attestations left out), when it was fetched. */
  platforms?: Platform[]
}

export interface CheckResult {
  status: 'fresh' | 'stale'
  remote: RemoteDigest
  /** The local digest that matched (index or platform digest). */
  matched?: string
  /** True for `name@digest` / `name:tag@digest`: never checked, always fresh. */
  pinned?: boolean
  /** Why the result is what it is, in words (for logs and credcheck). */
  reason: string
}

export interface CheckDeps {
  sessionFor(ref: ImageReference): RegistrySession
  /** `getDigest`, possibly memoized for the cycle by the client (a fresh copy each call). */
  digestOf(ref: ImageReference): Promise<RemoteDigest>
  /** `fetchIndex`, possibly memoized by digest (content-addressed, so across cycles). */
  indexOf(ref: ImageReference, digest: string): Promise<IndexDescriptor[]>
  emit(e: RegistryEvent): void
  now(): number
  platform: Platform
}

export async function getDigest(deps: CheckDeps, ref: ImageReference): Promise<RemoteDigest> {
  const session = deps.sessionFor(ref)
  const reference = ref.digest ?? ref.tag ?? 'latest'
  const head = await sessionManifest(session, ref.repository, reference, 'HEAD', deps.emit, deps.now)
  if (head.digest) return { digest: head.digest, mediaType: head.mediaType }
  const get = await sessionManifest(session, ref.repository, reference, 'GET', deps.emit, deps.now)
  return { digest: get.digest, mediaType: get.mediaType || head.mediaType }
}

export async function check(
  deps: CheckDeps,
  ref: ImageReference,
  localRepoDigests: readonly string[],
  platform: Platform = deps.platform,
): Promise<CheckResult> {
  if (ref.pinned) {
    return {
      status: 'fresh',
      pinned: true,
      remote: { digest: ref.digest!, mediaType: '' },
      matched: ref.digest!,
      reason: 'pinned by digest: not checked',
    }
  }
  const local = new Set(
    localRepoDigests
      .map(parseRepoDigest)
      .filter((d) => d !== undefined && d.name === ref.name)
      .map((d) => d!.digest),
  )
  const remote = await deps.digestOf(ref)
  if (local.has(remote.digest)) {
    return {
      status: 'fresh',
      remote,
      matched: remote.digest,
      reason: 'registry digest matches a local RepoDigest',
    }
  }
  if (local.size === 0) {
    return { status: 'stale', remote, reason: `no local RepoDigest for ${ref.name} to compare with` }
  }
  if (!isIndexMediaType(remote.mediaType)) {
    return { status: 'stale', remote, reason: 'registry digest differs from every local RepoDigest' }
  }
  const manifests = await deps.indexOf(ref, remote.digest)
  remote.platforms = platformsOf(manifests)
  const child = selectPlatform(manifests, platform)
  if (child) remote.platformDigest = child.digest
  deps.emit({
    type: 'platform',
    registry: ref.registry,
    repository: ref.repository,
    indexDigest: remote.digest,
    platform,
    ...(child ? { platformDigest: child.digest } : {}),
  })
  if (child && local.has(child.digest)) {
    return {
      status: 'fresh',
      remote,
      matched: child.digest,
      reason: 'platform manifest in the index matches a local RepoDigest',
    }
  }
  const p = `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`
  return {
    status: 'stale',
    remote,
    reason: child ? `index and ${p} manifest both differ from local RepoDigests` : `index has no ${p} entry`,
  }
}

/** GETs an index by digest, checks the bytes hash to it, and reads its entries. */
export async function fetchIndex(
  deps: CheckDeps,
  ref: ImageReference,
  digest: string,
): Promise<IndexDescriptor[]> {
  const session = deps.sessionFor(ref)
  const index = await sessionManifest(session, ref.repository, digest, 'GET', deps.emit, deps.now)
  const body = index.body!
  const where = `${ref.registry}/${ref.repository}`
  if (digest.startsWith('sha256:') && sha256Digest(body) !== digest) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `index bytes do not hash to ${digest} on ${where}`, {
      registry: ref.registry,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `image index ${digest} on ${where} is not JSON`, {
      registry: ref.registry,
    })
  }
  const parsed = IndexSchema.safeParse(json)
  if (!parsed.success) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `unreadable image index ${digest} on ${where}`, {
      registry: ref.registry,
      cause: parsed.error,
    })
  }
  return parsed.data.manifests
}
