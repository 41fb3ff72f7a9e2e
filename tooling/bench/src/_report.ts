/** The figures as a text table (terminal) and as Markdown (RESULTS.md). */

import type { EngineCallSummary } from './_engine-proxy.ts'
import type { Machine } from './_machine.ts'
import type { CycleFigures, Phase } from './check-cycle.ts'
import { type FleetFigures, fleetSection } from './fleet.ts'
import type { FootprintFigures } from './footprint.ts'
import type { ImageSizeFigures } from './image-size.ts'
import type { PolicyCounts, PolicyFigures } from './policies.ts'
import type { ProfileFigures } from './profile.ts'
import type { StartupFigures } from './startup.ts'
import type { UpdateFigures } from './update.ts'

export interface Figures {
  machine: Machine
  command: string
  /** How watchtower-ts ran: the CLI from the apps' build or bundled from sources, or the packages. */
  subject: string
  cycle?: CycleFigures
  /** The check cycle at more containers (`--only scale`), smallest first. */
  scale?: CycleFigures[]
  update?: UpdateFigures
  startup?: StartupFigures
  footprint?: FootprintFigures
  image?: ImageSizeFigures
  policies?: PolicyFigures
  fleet?: FleetFigures
  profile?: ProfileFigures
  targets: Target[]
}

export interface Target {
  what: string
  target: string
  measured: string
  met: boolean
}

/** The daemon's resident memory after C cycles, and its growth from cycle 10 on (issue #19). */
export const MEMORY_TARGET_MIB = 70
export const GROWTH_TARGET_MIB = 2

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)} ms`)
const x2 = (x: number) => `${x.toFixed(2)}×`
const mib = (x: number) => `${x.toFixed(1)} MiB`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

/** `1 + 40 + 8 + 2 = 51`: list + container inspects + image inspects + other = total. */
export function engineCalls(e: EngineCallSummary | undefined): string {
  return e ? `${e.lists} + ${e.containerInspects} + ${e.imageInspects} + ${e.other} = ${e.total}` : 'n/a'
}

/** At the engine floor: one list, one inspect per container, one image inspect per distinct image. */
export function engineAtFloor(c: CycleFigures, p: Phase = c.ours): boolean {
  const e = p.engine
  const fl = c.engineFloor
  return (
    e !== undefined &&
    e.lists <= fl.lists &&
    e.containerInspects <= fl.containerInspects &&
    e.imageInspects <= fl.imageInspects
  )
}

const atRegistryFloor = (c: CycleFigures) =>
  c.ours.requests.pings <= c.floor.pings &&
  c.ours.requests.tokens <= c.floor.tokens &&
  c.ours.requests.manifests <= c.floor.manifests

/** "2.10× slower" / "1.25× faster": the alternative's time beside ours. */
export function versus(alternativeMs: number, oursMs: number): string {
  return alternativeMs >= oursMs
    ? `${(alternativeMs / oursMs).toFixed(2)}× slower`
    : `${(oursMs / alternativeMs).toFixed(2)}× faster`
}

/** CLI ÷ in-process time at most this. */
export const CLI_OVER_PACKAGES = 1.3

function cycleTargets(c: CycleFigures, label: string): Target[] {
  const t: Target[] = []
  const r = c.ours.requests
  const fl = c.floor
  t.push({
    what: `${label}: registry requests`,
    target: `${fl.pings} ping + ${fl.tokens} token${fl.tokens === 1 ? '' : 's (32 repositories each)'} + ${fl.manifests} HEADs = ${fl.total}`,
    measured: `${r.pings} + ${r.tokens} + ${r.manifests} = ${r.total}`,
    met: atRegistryFloor(c),
  })
  if (c.ours.engine) {
    const ef = c.engineFloor
    t.push({
      what: `${label}: engine requests`,
      target: `1 list + ${ef.containerInspects} inspects + ${ef.imageInspects} image inspects (+ version, info) = ${ef.total} (+ 2)`,
      measured: engineCalls(c.ours.engine),
      met: engineAtFloor(c),
    })
  }
  if (c.via === 'cli' && c.packages) {
    const ratio = c.ours.ms / c.packages.ms
    t.push({
      what: `${label}: CLI wall time`,
      target: `≤ ${CLI_OVER_PACKAGES}× in-process`,
      measured: `${ms(c.ours.ms)} = ${x2(ratio)} in-process (${ms(c.packages.ms)})`,
      met: ratio <= CLI_OVER_PACKAGES,
    })
  }
  const alternatives: [string, Phase | undefined][] = [
    ['upstream sequence', c.upstream],
    ['docker pull', c.dockerPull],
  ]
  for (const [name, p] of alternatives) {
    if (!p) continue
    t.push({
      what: `${label}: faster than ${name}`,
      target: `< ${ms(p.ms)}`,
      measured: `${ms(c.ours.ms)} (${name} ${versus(p.ms, c.ours.ms)})`,
      met: c.ours.ms < p.ms,
    })
  }
  return t
}

export function targetsOf(f: Omit<Figures, 'targets'>): Target[] {
  const t: Target[] = []
  if (f.cycle) t.push(...cycleTargets(f.cycle, `check cycle, ${f.cycle.containers}/${f.cycle.repositories}`))
  const scale = f.scale ?? []
  for (const c of scale) t.push(...cycleTargets(c, `scale ${c.containers}/${c.repositories}`).slice(0, 2))
  if (scale.length >= 2) {
    const a = scale[0]!
    const b = scale.at(-1)!
    const k = b.containers / a.containers
    t.push({
      what: `scale ${a.containers} → ${b.containers}: wall time`,
      target: `grows ≤ ${k.toFixed(1)}× (linear)`,
      measured: `${ms(a.ours.ms)} → ${ms(b.ours.ms)} (${x2(b.ours.ms / a.ours.ms)})`,
      met: b.ours.ms / a.ours.ms <= k,
    })
    if (a.ours.peakMiB !== undefined && b.ours.peakMiB !== undefined) {
      t.push({
        what: `scale ${a.containers} → ${b.containers}: peak memory`,
        target: `grows ≤ ${k.toFixed(1)}× (linear)`,
        measured: `${mib(a.ours.peakMiB)} → ${mib(b.ours.peakMiB)} (${x2(b.ours.peakMiB / a.ours.peakMiB)})`,
        met: b.ours.peakMiB / a.ours.peakMiB <= k,
      })
    }
  }
  if (f.policies) {
    const p = f.policies
    t.push({
      what: `pass with policies, ${p.withPolicy} of ${p.repositories} repositories`,
      target: `1 token, 1 tag list per policy repository, no extra request without a policy (${p.floor.policies} requests)`,
      measured: `${p.policies.tokens} token, ${p.policies.tagLists} tag lists, ${p.policies.total} requests (no policy: ${p.noPolicy.total})`,
      met:
        p.policies.tokens === 1 &&
        p.policiesAndDelay.tokens === 1 &&
        p.policies.tagLists === p.withPolicy &&
        p.policies.manifestHeads === p.repositories - p.withPolicy &&
        p.noPolicy.total === p.floor.noPolicy &&
        p.policies.total <= p.floor.policies,
    })
  }
  if (f.update) {
    t.push({
      what: 'recreate overhead vs docker CLI',
      target: '< 10 %',
      measured: `${f.update.overheadPercent.toFixed(1)} % (${ms(f.update.overheadPerContainerMs)}/container)`,
      met: f.update.overheadPercent < 10,
    })
  }
  for (const row of f.startup?.rows.slice(0, 2) ?? []) {
    t.push({
      what: `cold start, ${row.name}`,
      target: '< 300 ms',
      measured: row.medianMs === undefined ? `n/a (${row.note ?? 'did not run'})` : ms(row.medianMs),
      met: row.medianMs !== undefined && row.medianMs < 300,
    })
  }
  if (f.footprint) {
    const p = f.footprint
    t.push({
      what: `idle memory after ${p.cycles} cycles`,
      target: `< ${MEMORY_TARGET_MIB} MiB, flat (growth from cycle 10 < ${GROWTH_TARGET_MIB} MiB)`,
      measured: `${mib(p.afterLastMiB)} (growth ${p.growthMiB >= 0 ? '+' : ''}${mib(p.growthMiB)}, trend ${p.trendMiBPer100 >= 0 ? '+' : ''}${mib(p.trendMiBPer100)} per 100 cycles)`,
      met: p.afterLastMiB < MEMORY_TARGET_MIB && p.growthMiB < GROWTH_TARGET_MIB,
    })
  }
  for (const p of f.image?.platforms ?? []) {
    t.push({
      what: `image ${p.platform}, compressed`,
      target: '< 50 MB',
      measured: mb(p.compressedBytes),
      met: p.compressedBytes < 50e6,
    })
  }
  if (f.fleet) {
    const r = f.fleet.fleet.requests
    const floor = 2 + f.fleet.repositories
    t.push({
      what: `fleet of ${f.fleet.engines} engines, ${f.fleet.repositories} repositories`,
      target: `as one engine: 1 ping + 1 token + ${f.fleet.repositories} HEADs = ${floor}`,
      measured: `${r.pings} + ${r.tokens} + ${r.manifests} = ${r.total}`,
      met: r.total <= floor,
    })
  }
  return t
}

/** Where the resident memory is: anonymous (heaps, buffers) vs mapped files (the node binary's pages). */
function rssSplit(p: FootprintFigures): string {
  const a = p.afterLastParts
  const n = p.nodeIdleParts
  if (!a || !n) return ''
  return `the daemon after the last cycle: ${mib(a.anonMiB)} anonymous + ${mib(a.fileMiB)} mapped files (mostly the node binary); idle \`node\`: ${mib(n.anonMiB)} + ${mib(n.fileMiB)}`
}

/** Rows of [cells] per section; shared by the text and Markdown renderings. */
function sections(f: Figures): { title: string; head: string[]; rows: string[][]; note?: string }[] {
  const out: { title: string; head: string[]; rows: string[][]; note?: string }[] = []
  const c = f.cycle
  if (c) {
    const row = (name: string, p: Phase): string[] => [
      name,
      String(p.requests.pings),
      String(p.requests.tokens),
      String(p.requests.manifests),
      String(p.requests.total),
      ms(p.ms),
      x2(p.requests.total / c.ours.requests.total),
      x2(p.ms / c.ours.ms),
      engineCalls(p.engine),
      p.peakMiB === undefined ? '' : mib(p.peakMiB),
    ]
    out.push({
      title: `1. Check cycle: ${c.containers} containers over ${c.repositories} repositories, token registry, --run-once --monitor-only`,
      head: [
        '',
        'pings',
        'tokens',
        'manifests',
        'requests',
        'wall (median)',
        'requests ÷ ours',
        'time ÷ ours',
        'engine: list + inspect + image + other',
        'peak RSS',
      ],
      rows: [
        row(`watchtower-ts (${c.via === 'cli' ? 'CLI' : 'packages as the CLI wires them'})`, c.ours),
        ...(c.packages ? [row('watchtower-ts packages in-process (no start-up)', c.packages)] : []),
        row('upstream watchtower sequence (replayed)', c.upstream),
        ...(c.dockerPull ? [row(`docker pull of each image (${c.repositories})`, c.dockerPull)] : []),
        [
          'floor (registry 1 + ⌈U/32⌉ + U; engine 1 + N + distinct images)',
          '1',
          String(c.floor.tokens),
          String(c.repositories),
          String(c.floor.total),
          '',
          '',
          '',
          `1 + ${c.engineFloor.containerInspects} + ${c.engineFloor.imageInspects} + 0 = ${c.engineFloor.total}`,
          '',
        ],
      ],
      note: `${
        c.via === 'cli'
          ? 'Wall time includes the CLI start-up.'
          : 'watchtower-ts ran in-process (no start-up in its time): the CLI could not run a cycle yet.'
      } Requests are those of one counted run (registry: its own logs; engine: a counting proxy in front of the Docker socket); wall times are the median of ${c.ours.runsMs.length} runs straight to the engine.`,
    })
  }
  const sc = f.scale
  if (sc && sc.length > 0) {
    out.push({
      title: 'Scale: the check cycle at more containers (--run-once --monitor-only, real engine)',
      head: [
        'containers / repositories',
        'registry requests (floor)',
        'engine requests (floor)',
        'CLI wall',
        'per container',
        'in-process',
        'upstream replayed',
        'CLI peak RSS',
      ],
      rows: sc.map((c) => [
        `${c.containers} / ${c.repositories}`,
        `${c.ours.requests.total} (${c.floor.total})`,
        `${c.ours.engine?.total ?? 'n/a'} (${c.engineFloor.total} + version, info)`,
        ms(c.ours.ms),
        `${(c.ours.ms / c.containers).toFixed(1)} ms`,
        ms(c.packages?.ms),
        ms(c.upstream.ms),
        c.ours.peakMiB === undefined ? 'n/a' : mib(c.ours.peakMiB),
      ]),
      note: 'Containers run with --network none from small images; created and removed through the engine API.',
    })
  }
  const u = f.update
  if (u) {
    out.push({
      title: `2. Update: ${u.containers} stale containers recreated end to end (pull, stop, recreate, start)`,
      head: ['', 'wall (median)', 'per container'],
      rows: [
        [
          `watchtower-ts (${u.via === 'cli' ? 'CLI' : 'docker-updater'})`,
          ms(u.oursMs),
          ms(u.oursMs / u.containers),
        ],
        ...(u.packagesMs === undefined
          ? []
          : [['docker-updater in-process (no start-up)', ms(u.packagesMs), ms(u.packagesMs / u.containers)]]),
        ['docker CLI (pull; stop, rm, create, start)', ms(u.dockerCliMs), ms(u.dockerCliMs / u.containers)],
        [
          'overhead',
          `${u.overheadPercent >= 0 ? '+' : ''}${u.overheadPercent.toFixed(1)} %`,
          `${u.overheadPerContainerMs >= 0 ? '+' : ''}${ms(u.overheadPerContainerMs)}`,
        ],
      ],
    })
  }
  const s = f.startup
  if (s) {
    out.push({
      title: `3. Start-up: median of ${s.runs} runs`,
      head: ['', 'median', 'first run'],
      rows: s.rows.map((r) => [
        r.name,
        r.medianMs === undefined ? `n/a (${r.note})` : ms(r.medianMs),
        ms(r.firstMs),
      ]),
    })
  }
  const p = f.footprint
  if (p) {
    out.push({
      title: `4. Footprint: resident memory (VmRSS), idle, ${p.containers} containers over ${p.repositories} repositories, a cycle every ${p.intervalSeconds} s`,
      head: [
        '',
        'after 1 cycle',
        'peak in cycle 1',
        'after 10',
        `after ${p.cycles}`,
        'growth 10 → last',
        'trend per 100 cycles',
      ],
      rows: [
        [
          `watchtower-ts (${p.via === 'cli' ? 'CLI daemon' : 'packages stand-in daemon'})`,
          mib(p.afterFirstMiB),
          p.peakFirstMiB === undefined ? 'n/a' : mib(p.peakFirstMiB),
          mib(p.afterTenthMiB),
          mib(p.afterLastMiB),
          mib(p.growthMiB),
          `${p.trendMiBPer100 >= 0 ? '+' : ''}${mib(p.trendMiBPer100)}`,
        ],
        ['node, idle (floor)', mib(p.nodeIdleMiB), '', '', '', '', ''],
      ],
      note: `VmRSS every 10 cycles: ${p.series.map(([n, v]) => `${n}: ${v.toFixed(1)}`).join(', ')} MiB. Trend: least-squares slope from cycle 10 on.${rssSplit(p) ? ` Split: ${rssSplit(p)}.` : ''}`,
    })
  }
  const i = f.image
  if (i) {
    out.push({
      title: `5. Image size: the watchtower image (node ${i.node}), per platform of its index`,
      head: ['', 'compressed (pull)', 'unpacked', 'layers'],
      rows: i.platforms.map((p) => [
        p.platform,
        mb(p.compressedBytes),
        mb(p.unpackedBytes),
        String(p.layers),
      ]),
      note: `Read from the OCI layout pnpm image build writes (index ${i.index.slice(0, 19)}…): compressed = manifest + config + gzipped layers; unpacked = the layers' tar bytes.`,
    })
  }
  const pol = f.policies
  if (pol) {
    const row = (name: string, c: PolicyCounts, floor: string): string[] => [
      name,
      String(c.pings),
      String(c.tokens),
      String(c.tagLists),
      String(c.manifestHeads),
      String(c.manifestGets),
      String(c.blobs),
      String(c.total),
      floor,
    ]
    out.push({
      title: `6. A pass with update policies: ${pol.containers} containers over ${pol.repositories} repositories, semver:minor on ${pol.withPolicy} of them, --run-once --monitor-only`,
      head: ['', 'pings', 'tokens', 'tag lists', 'HEADs', 'GETs', 'blobs', 'requests', 'floor'],
      rows: [
        row('no policy', pol.noPolicy, String(pol.floor.noPolicy)),
        row('semver:minor on half the repositories', pol.policies, String(pol.floor.policies)),
        row('the same with --cooldown-delay 1h', pol.policiesAndDelay, String(pol.floor.policies)),
      ],
      note: 'Per policy repository: one tag list, the candidate tag manifest (GET) and its config blob; the other repositories cost one HEAD, as without policies.',
    })
  }
  if (f.fleet) out.push(fleetSection(f.fleet))
  const prof = f.profile
  if (prof) {
    const pct = (v: number) => `${((100 * v) / prof.totalMs).toFixed(0)} %`
    const top = (xs: [string, number][]) => xs.filter(([, v]) => v >= 1)
    out.push({
      title: `Profile: where the CLI's --run-once --monitor-only time goes (${prof.containers} containers over ${prof.repositories} repositories, node --cpu-prof)`,
      head: ['phase / kind of work', 'sampled', 'share'],
      rows: [
        ...top(prof.phases).map(([k, v]) => [`phase: ${k}`, ms(v), pct(v)]),
        ...top(prof.kinds).map(([k, v]) => [`kind: ${k}`, ms(v), pct(v)]),
      ],
      note: `Profiled run: ${ms(prof.wallMs)} wall (the profiler slows it down), ${ms(prof.totalMs)} profiled. Phases by the first function on the stack that names one.`,
    })
  }
  return out
}

function machineLine(m: Machine): string {
  return `${m.date} · ${m.cpus} CPUs (${m.cpuModel}) · ${m.memoryGiB} GiB · node ${m.node} · Linux ${m.kernel} · Docker ${m.dockerEngine} · load ${m.loadAverage}`
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

export function renderText(f: Figures): string {
  const lines = [`watchtower-ts bench · ${machineLine(f.machine)}`, `measured: ${f.subject}`, '']
  for (const s of sections(f)) {
    lines.push(s.title, ...pad([s.head, ...s.rows]).map((l) => `  ${l}`))
    if (s.note) lines.push(`  ${s.note}`)
    lines.push('')
  }
  if (f.targets.length > 0) {
    lines.push('Targets (reported, not asserted)')
    lines.push(
      ...pad(f.targets.map((t) => [t.what, t.target, t.measured, t.met ? 'met' : 'NOT met'])).map(
        (l) => `  ${l}`,
      ),
    )
  }
  return `${lines.join('\n')}\n`
}

export function renderMarkdown(f: Figures): string {
  // Column-aligned, as the repository's formatter (biome) writes Markdown tables.
  const md = (rows: string[][]) => {
    const w = rows[0]!.map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? '').length)))
    const line = (r: string[]) => `| ${w.map((n, i) => (r[i] ?? '').padEnd(n)).join(' | ')} |`
    return [line(rows[0]!), line(w.map((n) => '-'.repeat(n))), ...rows.slice(1).map(line)].join('\n')
  }
  const m = f.machine
  const parts = [
    '# Benchmark results',
    '',
    `Latest figures from \`${f.command}\`, against the real test bed.`,
    '',
    `Measured: ${f.subject}.`,
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, node ${m.node}, Linux ${m.kernel}, Docker Engine ${m.dockerEngine}; 1-minute load average ${m.loadAverage} when it started; ${m.date}.`,
    '',
  ]
  for (const s of sections(f)) {
    parts.push(`## ${s.title}`, '', md([s.head, ...s.rows]), '')
    if (s.note) parts.push(s.note, '')
  }
  parts.push('## Targets (reported, not asserted)', '')
  parts.push(
    md([
      ['', 'target', 'measured', ''],
      ...f.targets.map((t) => [t.what, t.target, t.measured, t.met ? 'met' : '**not met**']),
    ]),
  )
  return `${parts.join('\n')}\n`
}

/** Where `pnpm bench --write-results` writes the README's table (between these lines). */
export const README_BEGIN = '<!-- bench:begin (generated by pnpm bench --write-results) -->'
export const README_END = '<!-- bench:end -->'

/**
 * The README's performance table: one row per figure of this run, each beside its alternative and
 * its target (an alternative that was faster is shown as faster). Nothing in it is written by hand.
 */
export function renderReadme(f: Figures): string {
  const rows: string[][] = [['what', 'watchtower-ts', 'the alternative', 'target']]
  const met = (what: string) => {
    const t = f.targets.filter((x) => x.what.startsWith(what))
    if (t.length === 0) return ''
    return t.every((x) => x.met)
      ? 'met'
      : `**not met**: ${t
          .filter((x) => !x.met)
          .map((x) => x.what.slice(what.length).replace(/^[:,]? /, '') || x.what)
          .join(', ')}`
  }
  const c = f.cycle
  if (c) {
    const label = `check cycle, ${c.containers}/${c.repositories}`
    const r = c.ours.requests
    const alt = [
      c.packages ? `in-process packages: ${ms(c.packages.ms)}` : undefined,
      `upstream's sequence replayed: ${c.upstream.requests.total} requests, engine ${engineCalls(c.upstream.engine)}, ${ms(c.upstream.ms)} (${versus(c.upstream.ms, c.ours.ms)})`,
      c.dockerPull
        ? `\`docker pull\` of each image: ${c.dockerPull.requests.total} requests, ${ms(c.dockerPull.ms)} (${versus(c.dockerPull.ms, c.ours.ms)})`
        : undefined,
    ].filter(Boolean)
    rows.push([
      `check cycle, ${c.containers} containers over ${c.repositories} repositories (\`--run-once --monitor-only\`)`,
      `${r.pings} ping + ${r.tokens} token + ${r.manifests} HEADs = **${r.total} requests**; engine ${engineCalls(c.ours.engine)}; **${ms(c.ours.ms)}**${c.packages ? ` (${x2(c.ours.ms / c.packages.ms)} in-process)` : ''}`,
      alt.join('; '),
      `registry 1 + 1 + U, engine 1 + N + images, ≤ ${CLI_OVER_PACKAGES}× in-process, faster than both: ${met(label)}`,
    ])
  }
  for (const s of f.scale ?? []) {
    const label = `scale ${s.containers}/${s.repositories}`
    rows.push([
      `check cycle at scale, ${s.containers} containers over ${s.repositories} repositories`,
      `${s.ours.requests.total} requests, engine ${engineCalls(s.ours.engine)}; ${ms(s.ours.ms)}${s.ours.peakMiB === undefined ? '' : `, peak ${mib(s.ours.peakMiB)}`}`,
      `upstream's sequence replayed: ${s.upstream.requests.total} requests, ${ms(s.upstream.ms)} (${versus(s.upstream.ms, s.ours.ms)})`,
      `at the floor: ${met(label)}`,
    ])
  }
  const sc = f.scale ?? []
  if (sc.length >= 2) {
    const label = `scale ${sc[0]!.containers} → ${sc.at(-1)!.containers}`
    rows.push([
      `${label} containers`,
      `wall ${x2(sc.at(-1)!.ours.ms / sc[0]!.ours.ms)}, peak memory ${sc[0]!.ours.peakMiB && sc.at(-1)!.ours.peakMiB ? x2(sc.at(-1)!.ours.peakMiB! / sc[0]!.ours.peakMiB) : 'n/a'}`,
      `containers ${x2(sc.at(-1)!.containers / sc[0]!.containers)}`,
      `no faster than linear: ${met(label)}`,
    ])
  }
  const u = f.update
  if (u) {
    rows.push([
      `recreate ${u.containers} stale containers end to end`,
      `${ms(u.oursMs)} (${ms(u.oursMs / u.containers)} each)`,
      `docker CLI (pull; stop, rm, create, start): ${ms(u.dockerCliMs)} (${versus(u.dockerCliMs, u.oursMs)})`,
      `overhead < 10 %: ${met('recreate overhead')} (${u.overheadPercent >= 0 ? '+' : ''}${u.overheadPercent.toFixed(1)} %)`,
    ])
  }
  const st = f.startup
  if (st) {
    const [w, cc] = st.rows
    const floor = st.rows.find((r) => r.name.startsWith('node -e 0'))
    const once = st.rows.find((r) => r.name.includes('--run-once'))
    rows.push([
      'cold start, `watchtower --help` / `credcheck --help`',
      `**${ms(w?.medianMs)} / ${ms(cc?.medianMs)}** (median of ${st.runs})${once ? `; \`--run-once\` with nothing in scope: ${ms(once.medianMs)}` : ''}`,
      floor ? `\`node -e 0\`: ${ms(floor.medianMs)}` : '',
      `< 300 ms: ${met('cold start')}`,
    ])
  }
  const fl = f.fleet
  if (fl) {
    const r = fl.fleet.requests
    const one = fl.perEngine.requests
    rows.push([
      `a fleet: ${fl.engines} simulated engines × ${fl.containersPerEngine} containers over ${fl.repositories} repositories, one pass`,
      `**${r.total} requests** (${r.pings} ping + ${r.tokens} token + ${r.manifests} HEADs); ${ms(fl.fleet.ms)}`,
      `one watchtower per engine: ${one.total} requests, ${ms(fl.perEngine.ms)} (${versus(fl.perEngine.ms, fl.fleet.ms)})`,
      `as one engine: ${met('fleet of')}`,
    ])
  }
  const pol = f.policies
  if (pol) {
    rows.push([
      `a pass with tag policies, ${pol.containers} containers over ${pol.repositories} repositories, \`semver:minor\` on ${pol.withPolicy}`,
      `**${pol.policies.total} requests** (with \`--cooldown-delay\`: ${pol.policiesAndDelay.total})`,
      `the same containers without policies: ${pol.noPolicy.total} requests`,
      `1 tag list per policy repository, no extra token: ${met('pass with policies')}`,
    ])
  }
  const p = f.footprint
  if (p) {
    rows.push([
      `daemon memory (VmRSS), idle, after 1 / 10 / ${p.cycles} cycles`,
      `${mib(p.afterFirstMiB)} / ${mib(p.afterTenthMiB)} / **${mib(p.afterLastMiB)}** (peak in cycle 1: ${p.peakFirstMiB === undefined ? 'n/a' : mib(p.peakFirstMiB)}; ${p.growthMiB >= 0 ? '+' : ''}${mib(p.growthMiB)} from cycle 10)`,
      `idle \`node\`: ${mib(p.nodeIdleMiB)}${rssSplit(p) ? `; ${rssSplit(p)}` : ''}`,
      `< ${MEMORY_TARGET_MIB} MiB, growth < ${GROWTH_TARGET_MIB} MiB: ${met('idle memory')}`,
    ])
  }
  for (const i of f.image?.platforms ?? []) {
    rows.push([
      `image size, ${i.platform}`,
      `**${mb(i.compressedBytes)}** compressed / ${mb(i.unpackedBytes)} unpacked`,
      '',
      `< 50 MB compressed: ${met(`image ${i.platform}`)}`,
    ])
  }
  const w = rows[0]!.map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) => `| ${w.map((n, i) => (r[i] ?? '').padEnd(n)).join(' | ')} |`
  const m = f.machine
  return [
    `Figures of one \`${f.command}\` run (${m.cpus} CPUs ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node.replace(/^v/, '')}, Docker Engine ${m.dockerEngine}, 1-minute load ${m.loadAverage} at the start; ${m.date.slice(0, 10)}), against the test bed; every row with every figure: [tooling/bench/RESULTS.md](tooling/bench/RESULTS.md).`,
    '',
    line(rows[0]!),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.slice(1).map(line),
  ].join('\n')
}

/** `text` with the part between README_BEGIN and README_END replaced by `section`. */
export function replaceReadmeSection(text: string, section: string): string {
  const a = text.indexOf(README_BEGIN)
  const b = text.indexOf(README_END)
  if (a < 0 || b < a) throw new Error(`README.md has no ${README_BEGIN} … ${README_END} section`)
  return `${text.slice(0, a + README_BEGIN.length)}\n\n${section}\n\n${text.slice(b)}`
}
