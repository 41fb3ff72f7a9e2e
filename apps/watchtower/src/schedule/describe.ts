import type { WatchtowerConfig } from '../config/types.ts'

/** Upstream's filter description, logged and sent in the startup message. */
export function describeFilter(c: WatchtowerConfig): string {
  const parts: string[] = []
  if (c.containerNames.length > 0) parts.push(`which name matches "${c.containerNames.join('", "')}"`)
  if (c.labelEnable) parts.push('using enable label')
  if (c.disableContainers.length > 0) parts.push(`except "${c.disableContainers.join('", "')}"`)
  if (c.scope) parts.push(`in scope "${c.scope}"`)
  if (parts.length === 0) return 'Checking all containers (except explicitly disabled with label)'
  return `Only checking containers ${parts.join(', ')}`
}

/** "23 hours, 59 minutes, 59 seconds" (upstream's first-check wording). */
export function describeDelay(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000))
  const units: [string, number][] = [
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ]
  const out: string[] = []
  for (const [name, size] of units) {
    const n = Math.floor(s / size)
    s -= n * size
    if (n > 0) out.push(`${n} ${name}${n === 1 ? '' : 's'}`)
  }
  return out.length ? out.join(', ') : '0 seconds'
}
