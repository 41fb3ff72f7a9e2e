/**
 * Manifest digests: HEAD with the four media types and `Docker-Content-Digest`; GET and sha256 of
 * the exact bytes when the header is missing; the index itself (by digest) for platform resolution.
 */
import { createHash } from 'node:crypto'
import type { RegistrySession } from './_session.ts'
import { statusError } from './_status.ts'
import type { RegistryEvent } from './events.ts'
import { MANIFEST_ACCEPT } from './media-types.ts'
import { firstHeader } from './rate-limit.ts'

export interface ManifestResult {
  digest: string
  mediaType: string
  /** The exact bytes, for GET. */
  body?: Buffer
}

/** `sha256:<hex>` of the exact bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export async function fetchManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  method: 'HEAD' | 'GET',
  emit: (e: RegistryEvent) => void,
  now: () => number,
): Promise<ManifestResult> {
  const path = `/v2/${repository}/manifests/${reference}`
  const res = await session.send(repository, (authorization) => ({
    method,
    url: new URL(path, session.baseUrl()),
    headers: { accept: MANIFEST_ACCEPT.join(', '), ...(authorization ? { authorization } : {}) },
    kind: method === 'HEAD' ? 'manifest-head' : 'manifest-get',
    registry: session.registry,
  }))
  const headerDigest = firstHeader(res.headers['docker-content-digest'])?.trim()
  const mediaType = firstHeader(res.headers['content-type'])?.split(';')[0]?.trim() ?? ''
  const ok = res.status === 200
  const digest = ok ? headerDigest || (method === 'GET' ? sha256Digest(res.body) : undefined) : undefined
  emit({
    type: 'manifest',
    registry: session.registry,
    repository,
    reference,
    method,
    status: res.status,
    ...(digest === undefined ? {} : { digest }),
    ...(mediaType ? { mediaType } : {}),
  })
  if (!ok) throw statusError(session.registry, `${repository}:${reference}`, repository, method, res, now)
  if (digest === undefined) {
    // HEAD without Docker-Content-Digest: the caller falls back to GET.
    return { digest: '', mediaType }
  }
  return method === 'GET' ? { digest, mediaType, body: res.body } : { digest, mediaType }
}
