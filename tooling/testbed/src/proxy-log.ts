import { readFile } from 'node:fs/promises'
import type { ProxyRequestRecord, Testbed } from './types.ts'

// tinyproxy (LogLevel Connect):
// CONNECT   Dec 02 09:58:42.612 [1243]: Request (file descriptor 5): CONNECT registry.wt-proxy.test:41234 HTTP/1.1
const LINE = /^CONNECT\s+(\S+ \S+ \S+) \[\d+\]: Request \(file descriptor \d+\): (\S+) (\S+) HTTP\/[\d.]+$/

/**
 * Requests the bed's forward proxy received, parsed from tinyproxy's own log, oldest first.
 * Shared by every test: filter by a host your test alone uses (or a unique path for plain HTTP).
 */
export async function proxyRequests(bed: Testbed, targetIncludes?: string): Promise<ProxyRequestRecord[]> {
  const text = await readFile(bed.proxy.logFile, 'utf8').catch(() => '')
  const out: ProxyRequestRecord[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim())
    if (!m) continue
    const [, time, method, target] = m
    if (targetIncludes !== undefined && !target!.includes(targetIncludes)) continue
    out.push({ time: time!, method: method!, target: target! })
  }
  return out
}
