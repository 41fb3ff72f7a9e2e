import { readFile } from 'node:fs/promises'
import { HEALTHCHECK_USER_AGENT } from './_registries.ts'
import type { RegistryName, RegistryRequestRecord, Testbed } from './types.ts'

// distribution's access log (Apache combined format):
// 127.0.0.1 - - [28/Nov/2026:03:41:18 +0000] "GET /v2/ HTTP/1.1" 401 87 "" "docker/20.10.24 go/…"
const LINE = /^\S+ \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"/

/**
 * Requests the registry received, parsed from its access log, oldest first. Shared by every test:
 * pass `pathIncludes` (your unique repository) to keep only yours. The bed's own health checks
 * (user agent `wt-testbed-healthcheck`) are left out.
 */
export async function registryRequests(
  bed: Testbed,
  name: RegistryName,
  pathIncludes?: string,
): Promise<RegistryRequestRecord[]> {
  const text = await readFile(bed.registries[name].logFile, 'utf8').catch(() => '')
  const out: RegistryRequestRecord[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const [, time, method, path, status, userAgent] = m
    if (userAgent === HEALTHCHECK_USER_AGENT) continue
    if (pathIncludes !== undefined && !path!.includes(pathIncludes)) continue
    out.push({ time: time!, method: method!, path: path!, status: Number(status), userAgent: userAgent! })
  }
  return out
}
