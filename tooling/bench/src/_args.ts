/** `pnpm bench` flags. */
import { parseArgs } from 'node:util'

export const BENCHES = [
  'cycle',
  'scale',
  'update',
  'startup',
  'footprint',
  'image',
  'policies',
  'fleet',
  'profile',
] as const
/** Run by default (`profile` only when asked for). */
export const DEFAULT_BENCHES: readonly BenchName[] = BENCHES.filter((b) => b !== 'profile')
export type BenchName = (typeof BENCHES)[number]

export interface BenchArgs {
  json: boolean
  help: boolean
  containers: number
  repos: number
  repeats: number
  updates: number
  startupRuns: number
  cycles: number
  only: BenchName[]
  /** `--only scale`: container counts (over `scaleRepos` repositories). */
  scale: number[]
  scaleRepos: number
  /** `--only profile`: keep the .cpuprofile here. */
  profileDir: string | undefined
  build: boolean
  /** What to measure: the CLI, or the packages wired as the CLI wires them; auto = the CLI when it runs cycles. */
  via: 'auto' | 'cli' | 'packages'
  /** Write RESULTS.md next to the bench. */
  writeResults: boolean
}

export const USAGE = `usage: pnpm bench [options]
  --json               print the figures as JSON instead of a table
  --containers N       check cycle: containers (default 40, at most 500)
  --repos U            check cycle: repositories they use (default 8)
  --repeats R          runs per check-cycle and update variant; median reported (default 3)
  --updates K          update: stale containers recreated per run (default 5)
  --startup-runs R     start-up: runs per command; median reported (default 10)
  --cycles C           footprint: cycles before the last memory reading (default 100)
  --scale LIST         scale: container counts, comma list (default 200,500)
  --scale-repos U      scale: repositories they use (default 50)
  --profile-dir DIR    profile: keep the CLI's .cpuprofile in DIR (open it in Chrome DevTools)
  --only LIST          comma list of ${BENCHES.join(', ')} (default all but profile)
  --no-build           do not build the apps first
  --via auto|cli|packages
                       measure the watchtower CLI, or the packages wired as it wires them
                       (default auto: the CLI when it can run a cycle)
  --write-results      also write tooling/bench/RESULTS.md and the README's performance table
Runs against the real test bed (brought up if down). Run it on a quiet bed: pings are counted
from the shared registry log.`

function int(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
  }
  return n
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      containers: { type: 'string' },
      repos: { type: 'string' },
      repeats: { type: 'string' },
      updates: { type: 'string' },
      'startup-runs': { type: 'string' },
      cycles: { type: 'string' },
      scale: { type: 'string' },
      'scale-repos': { type: 'string' },
      'profile-dir': { type: 'string' },
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      via: { type: 'string', default: 'auto' },
      'write-results': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const only = (values.only ?? DEFAULT_BENCHES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const o of only) {
    if (!(BENCHES as readonly string[]).includes(o)) {
      throw new Error(`--only: unknown benchmark "${o}" (known: ${BENCHES.join(', ')})`)
    }
  }
  const via = values.via
  if (via !== 'auto' && via !== 'cli' && via !== 'packages') {
    throw new Error(`--via must be auto, cli or packages, got "${via}"`)
  }
  return {
    via,
    json: values.json,
    help: values.help,
    containers: int('containers', values.containers, 40, 1, 500),
    repos: int('repos', values.repos, 8, 1, 500),
    repeats: int('repeats', values.repeats, 3, 1, 50),
    updates: int('updates', values.updates, 5, 1, 100),
    startupRuns: int('startup-runs', values['startup-runs'], 10, 1, 200),
    cycles: int('cycles', values.cycles, 100, 1, 10_000),
    scale: (values.scale ?? '200,500')
      .split(',')
      .filter(Boolean)
      .map((n) => int('scale', n.trim(), 0, 1, 1000))
      .sort((a, b) => a - b),
    scaleRepos: int('scale-repos', values['scale-repos'], 50, 1, 500),
    profileDir: values['profile-dir'],
    only: only as BenchName[],
    build: !values['no-build'],
    writeResults: values['write-results'],
  }
}
