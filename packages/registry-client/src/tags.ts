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
import { statusError } from './_status.ts'
import { RegistryError } from './errors.ts'
import type { RegistryEvent } from './events.ts'
import { firstHeader } from './rate-limit.ts'

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
  let url: URL | undefined = new URL(`/v2/${repository}/tags/list?n=${pageSize}`, base)
  const seen = new Set<string>()
  let pages = 0
  let truncated = false
  while (url) {
    if (pages >= maxPages) {
      truncated = true
      break
    }
    const target: URL = url
    const res = await session.send(repository, (authorization) => ({
      method: 'GET',
      url: target,
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      kind: 'tags-list',
      registry: session.registry,
      maxBodyBytes: 8 << 20,
    }))
    pages++
    emit({ type: 'tags', registry: session.registry, repository, page: pages, status: res.status })
    if (res.status !== 200)
      throw statusError(session.registry, `tags of ${repository}`, repository, 'GET', res, now)
    let body: z.infer<typeof TagsBody>
    try {
      body = TagsBody.parse(JSON.parse(res.body.toString('utf8')))
    } catch (cause) {
      throw new RegistryError(
        'WT_REGISTRY_PROTOCOL',
        `the tag list of ${repository} on ${session.registry} is not {"name","tags":[...]} JSON: GET ${target.pathname}`,
        { registry: session.registry, url: target.pathname, method: 'GET', status: res.status, cause },
      )
    }
    for (const tag of body.tags ?? []) {
      if (seen.size >= maxTags) {
        truncated = true
        break
      }
      seen.add(tag)
    }
    if (truncated) break
    const next = nextLink(firstHeader(res.headers['link']))
    if (!next) break
    const resolved = new URL(next, res.url)
    // Only the registry's own origin (never credentials elsewhere), and never the same page again.
    url = resolved.origin === base.origin && resolved.href !== target.href ? resolved : undefined
  }
  return { repository, tags: [...seen], pages, truncated }
}
