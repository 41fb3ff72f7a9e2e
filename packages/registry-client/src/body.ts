/**
 * The one bounded body reader every HTTP client of the project uses (registry, token server,
 * credcheck, notifications): a size cap per kind of answer and a TOTAL deadline (not an idle
 * timeout: a server that trickles one byte a second still ends at the deadline). Errors name the
 * URL (no userinfo, no query) and the cap, never a byte of the body.
 */
import { Buffer } from 'node:buffer'
import { displayUrl } from './_url.ts'
import { RegistryError } from './errors.ts'

/** Caps per kind of answer, in bytes. */
export const BODY_LIMITS = {
  /** `GET /v2/` and error bodies: only a few words of JSON are ever read. */
  ping: 64 * 1024,
  /** Token server answers (JWTs with many scopes stay far below). */
  token: 1024 * 1024,
  /** Manifests and indexes (distribution itself refuses manifests over 4 MiB). */
  manifest: 4 * 1024 * 1024,
  /** Tag lists and other listings credcheck reads. */
  listing: 1024 * 1024,
  /** Notification services' answers (only the status matters; the body is an error excerpt at most). */
  notification: 64 * 1024,
} as const

export type BodyKind = keyof typeof BODY_LIMITS

/** A response body as undici (`Dispatcher.request`) and node:http (`IncomingMessage`) give it. */
export type BodyStream = AsyncIterable<Uint8Array | string> & { destroy?(error?: Error): unknown }

export interface ReadBodyOptions {
  /** The request's URL (shown redacted in errors). */
  url: URL
  method?: string
  maxBytes: number
  /** Aborts the read: the request's total deadline (`AbortSignal.timeout(ms)`). */
  signal?: AbortSignal
  /** The deadline in ms, for the error message when `signal` fires. */
  timeoutMs?: number
  /** Registry the request is for (error details). */
  registry?: string
  status?: number
}

/**
 * Reads `body` fully, or throws `WT_REGISTRY_BODY_TOO_LARGE` once more than `maxBytes` arrived
 * (the stream is destroyed at once, nothing more is buffered) or `WT_REGISTRY_TIMEOUT` when
 * `signal` fires first.
 */
export async function readBoundedBody(body: BodyStream, o: ReadBodyOptions): Promise<Buffer> {
  const where = `${o.method ?? 'GET'} ${displayUrl(o.url)}`
  const details = {
    url: displayUrl(o.url),
    ...(o.method === undefined ? {} : { method: o.method }),
    ...(o.registry === undefined ? {} : { registry: o.registry }),
    ...(o.status === undefined ? {} : { status: o.status }),
  }
  const timeoutError = () =>
    new RegistryError(
      'WT_REGISTRY_TIMEOUT',
      `the answer did not arrive within ${o.timeoutMs === undefined ? 'the deadline' : `${o.timeoutMs} ms`} (total deadline, body included): ${where}`,
      details,
    )
  if (o.signal?.aborted) {
    body.destroy?.()
    throw timeoutError()
  }
  const chunks: Buffer[] = []
  let size = 0
  let timedOut = false
  const onAbort = () => {
    timedOut = true
    body.destroy?.(new Error('deadline reached'))
  }
  o.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for await (const chunk of body) {
      const buf =
        typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      size += buf.length
      if (size > o.maxBytes) {
        body.destroy?.()
        throw new RegistryError(
          'WT_REGISTRY_BODY_TOO_LARGE',
          `the answer is larger than the ${o.maxBytes}-byte cap for it: ${where}`,
          details,
        )
      }
      chunks.push(buf)
      if (timedOut) throw timeoutError()
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error
    if (timedOut || o.signal?.aborted) throw timeoutError()
    throw error
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
  }
  if (timedOut) throw timeoutError()
  return Buffer.concat(chunks)
}
