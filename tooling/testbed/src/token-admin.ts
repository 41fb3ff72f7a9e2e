import type { Testbed, TokenPolicy, TokenRequestRecord } from './types.ts'

async function admin(bed: Testbed, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${bed.tokenServer.adminUrl}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`token server admin ${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as unknown
}

/**
 * Every request the token server received, oldest first. The log is shared by every test of the
 * run: filter by your own unique repository (`r.scopes.some(s => s.includes(repo))`).
 */
export async function tokenLog(bed: Testbed): Promise<TokenRequestRecord[]> {
  return (await admin(bed, 'GET', '/log')) as TokenRequestRecord[]
}

/** Empties the shared log (avoid in parallel tests: filter `tokenLog` instead). */
export async function clearTokenLog(bed: Testbed): Promise<void> {
  await admin(bed, 'DELETE', '/log')
}

/** Adds or replaces the policy for `policy.repositoryPrefix` (longest matching prefix wins). */
export async function setTokenPolicy(bed: Testbed, policy: TokenPolicy): Promise<void> {
  await admin(bed, 'PUT', '/policy', policy)
}

/** Removes the policy for one prefix (or all when `repositoryPrefix` is undefined). */
export async function clearTokenPolicy(bed: Testbed, repositoryPrefix?: string): Promise<void> {
  await admin(
    bed,
    'DELETE',
    repositoryPrefix === undefined ? '/policy' : `/policy?prefix=${encodeURIComponent(repositoryPrefix)}`,
  )
}
