/**
 * An image's config blob, for one platform: when it was built (`created`, what a minimum-age policy
 * compares with) and for which os/architecture. Requests: the manifest by tag (GET), the platform's
 * manifest by digest when the tag is an index, then `GET /v2/<name>/blobs/<config digest>`; every
 * body is checked against its digest (content addressing is what makes the answer trustworthy).
 *
 *   {"architecture":"amd64","os":"linux","created":"2026-11-30T08:00:00Z","config":{...},"rootfs":{...}}
 */

import type { ImageReference } from '@watchtower-ts/image-reference'
import { z } from 'zod'
import type { RegistrySession } from './_session.ts'
import type { CheckDeps } from './check.ts'
import { RegistryError } from './errors.ts'
import { sessionManifest, sha256Digest } from './manifest.ts'
import { isIndexMediaType } from './media-types.ts'
import { IndexSchema, type Platform, platformsOf, selectPlatform } from './platform.ts'
import { statusError } from './status.ts'

export interface ImageConfigInfo {
  /** Digest of the tag's manifest (the index digest for a multi-platform tag). */
  digest: string
  /** Digest of the platform's image manifest. */
  manifestDigest: string
  configDigest: string
  /** `created` as ms since the epoch, when the config has a valid one. */
  created?: number
  platform: Platform
}

const ManifestSchema = z.object({
  config: z.object({ digest: z.string(), mediaType: z.string().optional() }),
})
const ConfigSchema = z.object({
  created: z.string().optional(),
  os: z.string().optional(),
  architecture: z.string().optional(),
  variant: z.string().optional(),
})

function parseJson<T>(schema: z.ZodType<T>, body: Buffer, what: string, registry: string): T {
  try {
    return schema.parse(JSON.parse(body.toString('utf8')))
  } catch (cause) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `unreadable ${what} on ${registry}`, { registry, cause })
  }
}

function verify(body: Buffer, digest: string, what: string, registry: string): void {
  if (digest.startsWith('sha256:') && sha256Digest(body) !== digest) {
    throw new RegistryError('WT_REGISTRY_PROTOCOL', `${what} bytes do not hash to ${digest} on ${registry}`, {
      registry,
    })
  }
}

async function fetchBlob(session: RegistrySession, repository: string, digest: string, now: () => number) {
  const res = await session.send(repository, (authorization) => ({
    method: 'GET',
    url: new URL(`/v2/${repository}/blobs/${digest}`, session.baseUrl()),
    headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
    kind: 'blob',
    registry: session.registry,
    maxBodyBytes: 1 << 20,
  }))
  if (res.status !== 200) throw statusError(session.registry, `blob ${digest}`, repository, 'GET', res, now)
  return res.body
}

/**
 * The config of `ref` (a tag or digest) for `platform`. A multi-platform tag without that platform
 * throws `WT_REGISTRY_NOT_FOUND` naming the platforms it has.
 */
export async function imageConfig(
  deps: Pick<CheckDeps, 'sessionFor' | 'emit' | 'now'>,
  ref: ImageReference,
  platform: Platform,
): Promise<ImageConfigInfo> {
  const session = deps.sessionFor(ref)
  const where = `${ref.registry}/${ref.repository}`
  const reference = ref.digest ?? ref.tag ?? 'latest'
  const top = await sessionManifest(session, ref.repository, reference, 'GET', deps.emit, deps.now)
  let body = top.body!
  let manifestDigest = top.digest
  if (ref.digest) verify(body, ref.digest, 'manifest', where)
  if (isIndexMediaType(top.mediaType)) {
    const manifests = parseJson(IndexSchema, body, `image index ${top.digest}`, where).manifests
    const child = selectPlatform(manifests, platform)
    if (!child) {
      const has = platformsOf(manifests)
        .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/'))
        .join(', ')
      const want = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')
      throw new RegistryError(
        'WT_REGISTRY_NOT_FOUND',
        `${where}:${reference} has no ${want} image (it has: ${has || 'none'})`,
        { registry: ref.registry },
      )
    }
    const m = await sessionManifest(session, ref.repository, child.digest, 'GET', deps.emit, deps.now)
    body = m.body!
    verify(body, child.digest, 'manifest', where)
    manifestDigest = child.digest
  }
  const configDigest = parseJson(ManifestSchema, body, `manifest ${manifestDigest}`, where).config.digest
  const blob = await fetchBlob(session, ref.repository, configDigest, deps.now)
  verify(blob, configDigest, 'config', where)
  const config = parseJson(ConfigSchema, blob, `image config ${configDigest}`, where)
  const created = config.created ? Date.parse(config.created) : Number.NaN
  deps.emit({
    type: 'image-config',
    registry: ref.registry,
    repository: ref.repository,
    reference,
    digest: configDigest,
    ...(config.created ? { created: config.created } : {}),
  })
  const info: ImageConfigInfo = {
    digest: top.digest,
    manifestDigest,
    configDigest,
    platform: {
      os: config.os ?? platform.os,
      architecture: config.architecture ?? platform.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
    },
  }
  if (Number.isFinite(created)) info.created = created
  return info
}
