/** HTTP status → RegistryError, shared by the ping and manifest requests (401/403 are the auth loop's). */
import type { RegistryCredentialsLike } from './_deps.ts'
import { RegistryError } from './errors.ts'
import { displayUrl, type RegistryResponse } from './exchange.ts'
import { firstHeader, parseRetryAfter } from './rate-limit.ts'

/** First `errors[].code` of a registry JSON error body (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `DENIED`, ...). */
export function registryErrorCode(res: RegistryResponse): string | undefined {
  if (res.body.length === 0) return undefined
  try {
    const json = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: unknown }[] }
    const code = json.errors?.[0]?.code
    // registry-supplied text that ends up in messages: only a code's shape is taken
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined
  } catch {
    return undefined
  }
}

/**
 * @param what what was asked for, e.g. `app:latest` (named in a 404)
 * @param repository the repository (named when the registry says NAME_UNKNOWN)
 */
export function statusError(
  registry: string,
  what: string,
  repository: string | undefined,
  method: string,
  res: RegistryResponse,
  now: () => number,
): RegistryError {
  const url = displayUrl(res.url)
  const registryCode = registryErrorCode(res)
  const details = { registry, url, method, status: res.status, ...(registryCode ? { registryCode } : {}) }
  if (res.status === 404) {
    const subject = registryCode === 'NAME_UNKNOWN' && repository ? `repository ${repository}` : what
    return new RegistryError(
      'WT_REGISTRY_NOT_FOUND',
      `${subject} not found on ${registry} (404${registryCode ? ` ${registryCode}` : ''}): ${method} ${url}`,
      details,
    )
  }
  if (res.status === 429 || (res.status === 503 && res.headers['retry-after'] !== undefined)) {
    const retryAfterMs = parseRetryAfter(firstHeader(res.headers['retry-after']), now())
    const after = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`
    return new RegistryError(
      'WT_REGISTRY_RATE_LIMITED',
      `rate limited by ${registry} (${res.status}${after}): ${method} ${url}`,
      {
        ...details,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    )
  }
  if (res.status >= 500 || res.status === 408) {
    return new RegistryError(
      'WT_REGISTRY_NETWORK',
      `registry ${registry} failed with ${res.status} after retries: ${method} ${url}`,
      details,
    )
  }
  return new RegistryError(
    'WT_REGISTRY_PROTOCOL',
    `unexpected ${res.status} from registry ${registry}: ${method} ${url}`,
    details,
  )
}

/** 401/403 the auth loop gave up on: says whose credentials (or none) and which token scopes were refused. */
export function refusedError(
  registry: string,
  creds: RegistryCredentialsLike | undefined,
  repository: string,
  res: RegistryResponse,
  tokenScopes: readonly string[] | undefined,
): RegistryError {
  const registryCode = registryErrorCode(res)
  const who =
    !creds || creds.kind === 'anonymous'
      ? 'anonymous access (no credentials configured for this registry)'
      : `the credentials of ${creds.username ?? 'the identity token'} (${creds.source.description})`
  const how = tokenScopes ? ` with a token for ${tokenScopes.join(' ')}` : ''
  const code = registryCode ? ` ${registryCode}` : ''
  return new RegistryError(
    'WT_REGISTRY_UNAUTHORIZED',
    `registry refused ${who}${how} on ${repository} (${res.status}${code}): ${displayUrl(res.url)}`,
    {
      registry,
      url: displayUrl(res.url),
      status: res.status,
      ...(registryCode === undefined ? {} : { registryCode }),
    },
  )
}
