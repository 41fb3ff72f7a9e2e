/** The figures as a text table (terminal) and as Markdown (RESULTS.md). */

import type { Machine } from './_machine.ts'
import type { CycleFigures, Phase } from './check-cycle.ts'
import { type FleetFigures, fleetSection } from './fleet.ts'
import type { FootprintFigures } from './footprint.ts'
import type { ImageSizeFigures } from './image-size.ts'
import type { PolicyCounts, PolicyFigures } from './policies.ts'
import type { StartupFigures } from './startup.ts'
import type { UpdateFigures } from './update.ts'

export interface Figures {
  machine: Machine
  command: string
  /** How watchtower-ts ran: the CLI from the apps' build or bundled from sources, or the packages. */
  subject: string
  cycle?: CycleFigures
  update?: UpdateFigures
  startup?: StartupFigures
  footprint?: FootprintFigures
  image?: ImageSizeFigures
  policies?: PolicyFigures
  fleet?: FleetFigures
  targets: Target[]
}

export interface Target {
  what: string
  target: string
  measured: string
  met: boolean
}

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)} ms`)
const x2 = (x: number) => `${x.toFixed(2)}×`
const mib = (x: number) => `${x.toFixed(1)} MiB`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

export function targetsOf(f: Omit<Figures, 'targets'>): Target[] {
  const t: Target[] = []
  if (f.cycle) {
    const r = f.cycle.ours.requests
    const fl = f.cycle.floor
    t.push({
      what: `check cycle, ${f.cycle.repositories} repositories`,
      target: `${fl.pings} ping + ${fl.tokens} token + ${fl.manifests} HEADs = ${fl.total}`,
      measured: `${r.pings} + ${r.tokens} + ${r.manifests} = ${r.total}`,
      met: r.pings <= fl.pings && r.tokens <= fl.tokens && r.manifests <= fl.manifests,
    })
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
      target: '< 80 MiB, flat',
      measured: `${mib(p.afterLastMiB)} (trend ${p.trendMiBPer100 >= 0 ? '+' : ''}${mib(p.trendMiBPer100)} per 100 cycles)`,
      met: p.afterLastMiB < 80 && p.trendMiBPer100 < 5,
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
      ],
      rows: [
        row(`watchtower-ts (${c.via === 'cli' ? 'CLI' : 'packages as the CLI wires them'})`, c.ours),
        ...(c.packages ? [row('watchtower-ts packages in-process (no start-up)', c.packages)] : []),
        row('upstream watchtower sequence (replayed)', c.upstream),
        row(`docker pull of each image (${c.repositories})`, c.dockerPull),
        ['request floor (1 + 1 + U)', '1', '1', String(c.repositories), String(c.floor.total), '', '', ''],
      ],
      note:
        c.via === 'cli'
          ? 'Wall time includes the CLI start-up.'
          : 'watchtower-ts ran in-process (no start-up in its time): the CLI could not run a cycle yet.',
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
        'after 10',
        `after ${p.cycles}`,
        'growth 10 → last',
        'trend per 100 cycles',
      ],
      rows: [
        [
          `watchtower-ts (${p.via === 'cli' ? 'CLI daemon' : 'packages stand-in daemon'})`,
          mib(p.afterFirstMiB),
          mib(p.afterTenthMiB),
          mib(p.afterLastMiB),
          mib(p.growthMiB),
          `${p.trendMiBPer100 >= 0 ? '+' : ''}${mib(p.trendMiBPer100)}`,
        ],
        ['node, idle (floor)', mib(p.nodeIdleMiB), '', '', '', ''],
      ],
      note: `VmRSS every 10 cycles: ${p.series.map(([n, v]) => `${n}: ${v.toFixed(1)}`).join(', ')} MiB. Trend: least-squares slope from cycle 10 on.`,
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
  lines.push('Targets (reported, not asserted)')
  lines.push(
    ...pad(f.targets.map((t) => [t.what, t.target, t.measured, t.met ? 'met' : 'NOT met'])).map(
      (l) => `  ${l}`,
    ),
  )
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
