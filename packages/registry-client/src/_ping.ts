/** The client's ping: `ping()` once per registry per cycle, its events, and its errors. */

import type { SessionContext } from './_session.ts'
import type { Challenge } from './challenge.ts'
import { RegistryError } from './errors.ts'
import { displayUrl } from './exchange.ts'
import { ping } from './ping.ts'
import { statusError } from './status.ts'

export async function pingRegistry(
  ctx: SessionContext,
  registry: string,
  apiHost: string,
): Promise<{ scheme: 'https' | 'http'; challenge: Challenge | undefined }> {
  const result = await ping(ctx.send, {
    registry,
    apiHost,
    allowHttp: () => ctx.allowHttp(apiHost),
    onFallback: (err) =>
      ctx.emit({
        type: 'scheme-fallback',
        registry,
        from: 'https',
        to: 'http',
        reason: err instanceof Error ? err.message : String(err),
      }),
  })
  const res = result.response
  ctx.emit({
    type: 'ping',
    registry,
    url: displayUrl(res.url),
    status: res.status,
    challenges: result.challenges,
  })
  if (res.status === 200 || res.status === 401) return { scheme: result.scheme, challenge: result.challenge }
  if (res.status === 404) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `not a registry v2 API (404 on /v2/): GET ${displayUrl(res.url)}`,
      {
        registry,
        url: displayUrl(res.url),
        method: 'GET',
        status: 404,
      },
    )
  }
  throw statusError(registry, 'the registry API (/v2/)', undefined, 'GET', res, ctx.now)
}
