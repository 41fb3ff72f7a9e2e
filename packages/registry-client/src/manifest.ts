/**
 * Manifest digests: HEAD with the four media types and `Docker-Content-Digest`; GET and sha256 of
 * the exact bytes when the header is missing; the index itself (by digest) for platform resolution.
 */
import { createHash } from 'node:crypto'
import type { RegistrySession } from './_session.ts'
import type { RegistryEvent } from './events.ts'
import type { Exchange, RegistryRequest, RegistryResponse } from './exchange.ts'
import { MANIFEST_ACCEPT } from './media-types.ts'
import { firstHeader } from './rate-limit.ts'
import { statusError } from './status.ts'

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

export interface ManifestRequestOptions {
  registry: string
  /** `https://HOST[:PORT]` (or http:// for a plain-HTTP registry): the ping's scheme and the API host. */
  base: URL | string
  repository: string
  /** Tag or digest. */
  reference: string
  method: 'HEAD' | 'GET'
  /** `Bearer <token>` or `Basic <...>`, when the registry wants one. */
  authorization?: string
}

/** `HEAD|GET /v2/<repository>/manifests/<reference>` accepting the four manifest media types. */
export function manifestRequest(o: ManifestRequestOptions): RegistryRequest {
  return {
    method: o.method,
    url: new URL(`/v2/${o.repository}/manifests/${o.reference}`, o.base),
    headers: {
      accept: MANIFEST_ACCEPT.join(', '),
      ...(o.authorization ? { authorization: o.authorization } : {}),
    },
    kind: o.method === 'HEAD' ? 'manifest-head' : 'manifest-get',
    registry: o.registry,
  }
}

export interface ManifestAnswer {
  /** `Docker-Content-Digest`, or for a GET the sha256 of the bytes; undefined unless 200 (or a HEAD without the header). */
  digest: string | undefined
  /** `Content-Type` without parameters ('' when absent). */
  mediaType: string
  /** True when the digest was computed from the bytes (no `Docker-Content-Digest`). */
  computed: boolean
}

/** The digest and media type of a manifest answer. */
export function readManifest(res: RegistryResponse, method: 'HEAD' | 'GET'): ManifestAnswer {
  const headerDigest = firstHeader(res.headers['docker-content-digest'])?.trim()
  const mediaType = firstHeader(res.headers['content-type'])?.split(';')[0]?.trim() ?? ''
  if (res.status !== 200) return { digest: undefined, mediaType, computed: false }
  if (headerDigest) return { digest: headerDigest, mediaType, computed: false }
  return method === 'GET'
    ? { digest: sha256Digest(res.body), mediaType, computed: true }
    : { digest: undefined, mediaType, computed: false }
}

/** One manifest request over `send` (no auth loop: pass `authorization` yourself) and its reading. */
export async function fetchManifest(
  send: Exchange,
  o: ManifestRequestOptions,
): Promise<ManifestAnswer & { response: RegistryResponse }> {
  const response = await send(manifestRequest(o))
  return { ...readManifest(response, o.method), response }
}

/** The client's manifest request: through the session's auth loop, with events and errors. */
export async function sessionManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  method: 'HEAD' | 'GET',
  emit: (e: RegistryEvent) => void,
  now: () => number,
): Promise<ManifestResult> {
  const res = await session.send(repository, (authorization) =>
    manifestRequest({
      registry: session.registry,
      base: session.baseUrl(),
      repository,
      reference,
      method,
      ...(authorization ? { authorization } : {}),
    }),
  )
  const { digest, mediaType } = readManifest(res, method)
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
  if (res.status !== 200)
    throw statusError(session.registry, `${repository}:${reference}`, repository, method, res, now)
  if (digest === undefined) {
    // HEAD without Docker-Content-Digest: the caller falls back to GET.
    return { digest: '', mediaType }
  }
  return method === 'GET' ? { digest, mediaType, body: res.body } : { digest, mediaType }
}
