/**
 * Minimum image age (`--cooldown-delay`, the `cooldown-delay` label), as the maintained watchtower
 * fork names it: an update happens only once the new image's `created` time is at least this old.
 * Durations are sums of `<number><unit>` with units s, m, h, d (24 h), w (7 d) and M (30 d), as the
 * fork accepts (`72h`, `3d`, `1w2d`, `1M`); `0` turns the gate off.
 */
import { TagPolicyError } from './tag-policy.ts'

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
}

/** Milliseconds, or 0 for `0`/empty; `where` names the flag or label in errors. */
export function parseCooldownDelay(text: string | undefined, where: string): number {
  const value = (text ?? '').trim()
  if (value === '' || value === '0') return 0
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new TagPolicyError(
      `${where}: "${value}" is not a duration (numbers with units s, m, h, d, w or M, e.g. 72h, 3d, 1w2d; 0 turns it off)`,
    )
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0)
}

export type AgeGate = { ok: true } | { ok: false; waitMs: number; reason: string }

/** Whether an image built at `createdMs` is old enough at `nowMs`; unknown `created` is let through with a reason. */
export function ageGate(createdMs: number | undefined, nowMs: number, delayMs: number): AgeGate {
  if (delayMs <= 0 || createdMs === undefined) return { ok: true }
  const waitMs = createdMs + delayMs - nowMs
  if (waitMs <= 0) return { ok: true }
  return {
    ok: false,
    waitMs,
    reason: `the new image is ${formatAge(nowMs - createdMs)} old; the cooldown delay asks for ${formatAge(delayMs)} (${formatAge(waitMs)} to go)`,
  }
}

/** `2d 3h`, `45m`, `12s`: the two largest units. */
export function formatAge(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ]
  const out: string[] = []
  let rest = Math.max(0, Math.round(ms))
  for (const [name, size] of units) {
    const n = Math.floor(rest / size)
    if (n > 0 || (out.length === 0 && name === 's')) out.push(`${n}${name}`)
    rest -= n * size
    if (out.length === 2) break
  }
  return out.join(' ')
}
