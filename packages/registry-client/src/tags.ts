/**
 * Tag listing: `GET /v2/<name>/tags/list?n=<page>` with the same session (so the same token, scope
 * `pull` on the repository) and pagination through the `Link` header, as the distribution spec says:
 *
 *   200 OK
 *   Link: </v2/team/app/tags/list?last=1.9.0&n=100>; rel="next"
 *   {"name":"team/app","tags":["1.0.0","1.0.1",...]}
 *
 * Registries that ignore `n` (Docker Hub answers every tag at once) or send no `Link` end after one
 * page. A `next` link to another origin is not followed (credentials stay on the registry). Memory is
 * bounded: at most `maxTags` distinct tags are kept and at most `maxPages` pages read; a list cut
 * there says so (`truncated`), and each page body is capped.
 */
import { z } from 'zod'
import type { RegistrySession } from './_session.ts'
import { RegistryError } from './errors.ts'
import type { RegistryEvent } from './events.ts'
import type { RegistryRequest, RegistryResponse } from './exchange.ts'
import { firstHeader } from './rate-limit.ts'
import { statusError } from './status.ts'

export interface ListTagsOptions {
  /** Tags asked for per page (`n`). @default 1000 */
  pageSize?: number
  /** Pages read at most. @default 100 */
  maxPages?: number
  /** Distinct tags kept at most. @default 20000 */
  maxTags?: number
}

export interface TagList {
  repository: string
  /** In the registry's order (the distribution registry sorts lexically), without duplicates. */
  tags: string[]
  pages: number
  /** True when `maxPages` or `maxTags` cut the list short. */
  truncated: boolean
}

const TagsBody = z.object({ name: z.string().optional(), tags: z.array(z.string()).nullable().optional() })

/** The `rel="next"` target of an RFC 8288 `Link` header, if any. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part)
    if (!m) continue
    const params = m[2]!.split(';').map((p) => p.trim().toLowerCase())
    if (params.some((p) => /^rel\s*=\s*"?([^"]*)"?$/.exec(p)?.[1]?.split(/\s+/).includes('next'))) return m[1]
  }
  return undefined
}

export interface TagsRequestOptions {
  registry: string
  /** `https://HOST[:PORT]` (or http://), or a page's `next` URL (then `pageSize` is not added). */
  base: URL | string
  repository: string
  /** Tags asked for (`n`). */
  pageSize?: number
  /** `Bearer <token>` or `Basic <...>`, when the registry wants one. */
  authorization?: string
}

/** `GET /v2/<repository>/tags/list?n=<pageSize>` (one page). */
export function tagsRequest(o: TagsRequestOptions): RegistryRequest {
  const url = new URL(`/v2/${o.repository}/tags/list`, o.base)
  if (o.pageSize !== undefined) url.searchParams.set('n', String(o.pageSize))
  return tagsPageRequest(o.registry, url, o.authorization)
}

function tagsPageRequest(registry: string, url: URL, authorization: string | undefined): RegistryRequest {
  return {
    method: 'GET',
    url,
    headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
    kind: 'tags-list',
    registry,
    maxBodyBytes: 8 << 20,
  }
}

/**
 * One page of a 200 tag-list answer: its tags and the `rel="next"` URL (only on the same origin,
 * never the same page again). Throws `WT_REGISTRY_PROTOCOL` for a body that is not the list.
 */
export function readTagsPage(
  res: RegistryResponse,
  o: { registry: string; repository: string },
): { tags: string[]; next: URL | undefined } {
  let body: z.infer<typeof TagsBody>
  try {
    body = TagsBody.parse(JSON.parse(res.body.toString('utf8')))
  } catch (cause) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `the tag list of ${o.repository} on ${o.registry} is not {"name","tags":[...]} JSON: GET ${res.url.pathname}`,
      { registry: o.registry, url: res.url.pathname, method: 'GET', status: res.status, cause },
    )
  }
  const link = nextLink(firstHeader(res.headers['link']))
  const next = link === undefined ? undefined : new URL(link, res.url)
  // Only the registry's own origin (never credentials elsewhere), and never the same page again.
  const usable = next && next.origin === res.url.origin && next.href !== res.url.href ? next : undefined
  return { tags: body.tags ?? [], next: usable }
}

export async function listTags(
  session: RegistrySession,
  repository: string,
  emit: (e: RegistryEvent) => void,
  now: () => number,
  options: ListTagsOptions = {},
): Promise<TagList> {
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 1000))
  const maxPages = Math.max(1, Math.floor(options.maxPages ?? 100))
  const maxTags = Math.max(1, Math.floor(options.maxTags ?? 20_000))
  // The ping decides the scheme (https, or http for a plain loopback registry): before the first URL.
  await session.ready()
  const base = new URL(session.baseUrl())
  let url: URL | undefined = tagsRequest({
    registry: session.registry,
    base,
    repository,
    pageSize,
  }).url
  const seen = new Set<string>()
  let pages = 0
  let truncated = false
  while (url) {
    if (pages >= maxPages) {
      truncated = true
      break
    }
    const target: URL = url
    const res = await session.send(repository, (authorization) =>
      tagsPageRequest(session.registry, target, authorization),
    )
    pages++
    emit({ type: 'tags', registry: session.registry, repository, page: pages, status: res.status })
    if (res.status !== 200)
      throw statusError(session.registry, `tags of ${repository}`, repository, 'GET', res, now)
    const page = readTagsPage(res, { registry: session.registry, repository })
    for (const tag of page.tags) {
      if (seen.size >= maxTags) {
        truncated = true
        break
      }
      seen.add(tag)
    }
    if (truncated) break
    // Only the registry's own origin (the ping's), never the same page again.
    url = page.next && page.next.origin === base.origin ? page.next : undefined
  }
  return { repository, tags: [...seen], pages, truncated }
}
