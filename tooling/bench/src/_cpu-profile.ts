/**
 * A V8 CPU profile (`node --cpu-prof`) summed up: where the process spent its time, by phase of a
 * `--run-once` (start-up, module loading, configuration, wiring and TLS set-up, the engine and
 * registry pass, shutdown) and by what ran (garbage collection, idle waiting for I/O, our code, a
 * third-party package). Rules read the stack of each sample from the root down; the first match wins.
 */

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  /** Profile length, ms. */
  totalMs: number
  /** Sampled time per phase, ms (in the order a run goes through them). */
  phases: [string, number][]
  /** Sampled time per kind of work, ms, largest first. */
  kinds: [string, number][]
}

/** Phases, by the first function on the stack (root → leaf) that names one. */
const PHASES: [string, RegExp][] = [
  ['configuration (flags, env, schedule)', /^(resolveConfig|parseSchedule|renderHelp)$/],
  [
    'wiring: credentials, trust store, TLS set-up',
    /^(createSessionRunner|createTrustStore|loadSystemRoots|createCredentialResolver)$/,
  ],
  ['engine and registry pass (runUpdate)', /^runUpdate$/],
  ['logging and notifications', /^(createLogger|createNotifier|announce|sendLines)$/],
]

const MODULE_LOADING = /^node:internal\/modules\//
const PACKAGE_KEY = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//

/** Which package a frame belongs to: `undici`, `dockerode`, …, `ours`, `node`, or undefined (V8). */
function packageOf(frame: CallFrame, chunkPackages: Map<string, string>): string | undefined {
  const named = PACKAGE_KEY.exec(frame.functionName)?.[1]
  if (named) return named
  const url = frame.url
  if (!url) return undefined
  if (url.startsWith('node:')) return 'node'
  const fromUrl = PACKAGE_KEY.exec(url)?.[1]
  if (fromUrl) return fromUrl
  return chunkPackages.get(url) ?? 'ours'
}

/**
 * Sums a profile up. `chunkPackages` names the third-party package a bundle chunk mostly holds
 * (its URL → package), so time in bundled third-party code is not counted as ours.
 */
export function summarizeProfile(
  profile: CpuProfile,
  chunkPackages: Map<string, string> = new Map(),
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000)
  }
  const phases = new Map<string, number>()
  const kinds = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  for (const [id, msSelf] of self) {
    const stack: CallFrame[] = []
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n))
      stack.unshift(byId.get(n)!.callFrame)
    const leaf = stack.at(-1)!
    // kind of work
    let kind: string
    if (leaf.functionName === '(garbage collector)') kind = 'garbage collection'
    else if (leaf.functionName === '(idle)') kind = 'idle (waiting for the engine, the registry, timers)'
    else if (leaf.functionName === '(program)') kind = 'V8 and native code outside JavaScript'
    else if (stack.some((f) => MODULE_LOADING.test(f.url)) && !stack.some((f) => f.url.includes('/dist/')))
      kind = 'module loading: read, compile, link'
    else {
      const outer = [...stack].reverse().find((f) => packageOf(f, chunkPackages) !== 'node')
      const evaluating = stack.some(
        (f) => f.lineNumber === 0 && f.functionName === '' && f.url.includes('/dist/'),
      )
      const pkg = (outer && packageOf(outer, chunkPackages)) ?? 'node'
      kind = evaluating ? `module evaluation: ${pkg}` : `running: ${pkg}`
    }
    add(kinds, kind, msSelf)
    // phase
    let phase: string | undefined
    for (const f of stack) {
      phase = PHASES.find(([, re]) => re.test(f.functionName))?.[0]
      if (phase) break
    }
    if (!phase) {
      if (leaf.functionName === '(idle)') phase = 'idle outside the phases above'
      else if (
        stack.some((f) => MODULE_LOADING.test(f.url)) ||
        stack.some((f) => f.lineNumber === 0 && f.url.includes('/dist/'))
      )
        phase = 'module loading and evaluation'
      else if (leaf.functionName === '(garbage collector)') phase = 'garbage collection'
      else phase = 'node start-up and other'
    }
    add(phases, phase, msSelf)
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    phases: sorted(phases),
    kinds: sorted(kinds),
  }
}

/** The package whose code fills most of a bundle chunk (by esbuild's `node_modules/...` wrapper keys). */
export function dominantPackage(source: string): string | undefined {
  const re = /"[^"\n]*node_modules\/\.pnpm\/[^"\n]*?node_modules\/((?:@[^/"]+\/)?[^/"]+)\/[^"\n]*"/g
  const counts = new Map<string, number>()
  let last = 0
  let current: string | undefined
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (current) counts.set(current, (counts.get(current) ?? 0) + (m.index - last))
    current = m[1]
    last = m.index
  }
  if (current) counts.set(current, (counts.get(current) ?? 0) + (source.length - last))
  const best = [...counts].sort((a, b) => b[1] - a[1])[0]
  return best && best[1] > source.length / 2 ? best[0] : undefined
}
