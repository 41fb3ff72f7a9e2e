import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { type Figures, renderMarkdown, renderText, targetsOf } from './_report.ts'

const requests = (pings: number, tokens: number, manifests: number) => ({
  pings,
  tokens,
  manifests,
  unauthorized: pings,
  blobs: 0,
  total: pings + tokens + manifests,
})

function figures(oursTokens: number): Figures {
  const partial: Omit<Figures, 'targets'> = {
    machine: {
      date: '2026-11-28T05:00:00.000Z',
      cpus: 2,
      cpuModel: 'AMD EPYC',
      memoryGiB: 23.5,
      node: 'v20.20.2',
      kernel: '6.1.0',
      dockerEngine: '20.10.24 (API 1.41)',
      loadAverage: 0.5,
    },
    command: 'pnpm bench',
    subject: 'the watchtower CLI (apps/watchtower/bin.js, built)',
    cycle: {
      containers: 40,
      repositories: 8,
      via: 'cli',
      floor: { pings: 1, tokens: 1, manifests: 8, total: 10 },
      engineFloor: { lists: 1, containerInspects: 40, imageInspects: 8, total: 49 },
      ours: {
        requests: requests(1, oursTokens, 8),
        engine: { lists: 1, containerInspects: 40, imageInspects: 8, other: 2, total: 51 },
        ms: 500,
        runsMs: [500],
        peakMiB: 61.5,
      },
      packages: { requests: requests(1, 1, 8), ms: 450, runsMs: [450] },
      upstream: { requests: requests(40, 40, 40), ms: 1000, runsMs: [1000] },
      dockerPull: { requests: requests(8, 8, 8), ms: 2000, runsMs: [2000] },
      ratios: { upstreamRequests: 12, dockerPullRequests: 2.4, upstreamTime: 2, dockerPullTime: 4 },
    },
    update: {
      containers: 5,
      via: 'cli',
      oursMs: 1050,
      dockerCliMs: 1000,
      oursRunsMs: [1050],
      dockerCliRunsMs: [1000],
      overheadPerContainerMs: 10,
      overheadPercent: 5,
    },
    startup: {
      runs: 10,
      rows: [
        { name: 'watchtower --help', command: 'node bin.js --help', medianMs: 200, firstMs: 250 },
        {
          name: 'credcheck --help',
          command: 'node bin.js --help',
          medianMs: undefined,
          firstMs: undefined,
          note: 'exit 1',
        },
      ],
    },
    footprint: {
      via: 'cli',
      containers: 40,
      repositories: 8,
      intervalSeconds: 1,
      cycles: 100,
      afterFirstMiB: 60,
      afterTenthMiB: 62,
      afterLastMiB: 63,
      growthMiB: 1,
      trendMiBPer100: 1.1,
      series: [
        [1, 60],
        [10, 62],
        [100, 63],
      ],
      nodeIdleMiB: 40,
    },
    image: {
      node: 'v24.22.3',
      index: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      platforms: [
        { platform: 'linux/amd64', compressedBytes: 49_100_000, unpackedBytes: 136_500_000, layers: 2 },
        { platform: 'linux/arm64', compressedBytes: 51_000_000, unpackedBytes: 132_500_000, layers: 2 },
      ],
    },
  }
  return { ...partial, targets: targetsOf(partial) }
}

describe('targets', () => {
  it('request floor met only at 1 ping + 1 token + U manifest requests', () => {
    expect(figures(1).targets[0]).toMatchObject({ met: true, measured: '1 + 1 + 8 = 10' })
    expect(figures(8).targets[0]).toMatchObject({ met: false, measured: '1 + 8 + 8 = 17' })
  })

  it('engine floor: one list, one inspect per container, one image inspect per distinct image', () => {
    const f = figures(1)
    expect(f.targets[1]).toMatchObject({ met: true, measured: '1 + 40 + 8 + 2 = 51' })
    const more = {
      ...f.cycle!,
      ours: { ...f.cycle!.ours, engine: { ...f.cycle!.ours.engine!, imageInspects: 40 } },
    }
    expect(targetsOf({ ...f, cycle: more })[1]).toMatchObject({ met: false })
  })

  it('the CLI within 1.3× of in-process and faster than the alternatives; a faster alternative says so', () => {
    const f = figures(1)
    expect(f.targets[2]).toMatchObject({ met: true, measured: '500 ms = 1.11× in-process (450 ms)' })
    const slow = { ...f.cycle!, ours: { ...f.cycle!.ours, ms: 1500 } }
    const t = targetsOf({ ...f, cycle: slow })
    expect(t[2]).toMatchObject({ met: false })
    expect(t[3]).toMatchObject({ met: false, measured: '1500 ms (upstream sequence 1.50× faster)' })
    expect(t[4]).toMatchObject({ met: true, measured: '1500 ms (docker pull 1.33× slower)' })
  })

  it('scale: at the floor at every size, wall time and peak memory growing no faster than the containers', () => {
    const f = figures(1)
    const at = (n: number, wallMs: number, peakMiB: number) => ({
      ...f.cycle!,
      containers: n,
      repositories: 50,
      floor: { pings: 1, tokens: 1, manifests: 50, total: 52 },
      engineFloor: { lists: 1, containerInspects: n, imageInspects: 1, total: n + 2 },
      ours: {
        requests: requests(1, 1, 50),
        engine: { lists: 1, containerInspects: n, imageInspects: 1, other: 2, total: n + 4 },
        ms: wallMs,
        runsMs: [wallMs],
        peakMiB,
      },
    })
    const t = targetsOf({ ...f, scale: [at(200, 1000, 70), at(500, 2600, 80)] })
    const names = t.map((x) => [x.what, x.met])
    expect(names).toContainEqual(['scale 500/50: engine requests', true])
    expect(names).toContainEqual(['scale 200 → 500: wall time', false])
    expect(names).toContainEqual(['scale 200 → 500: peak memory', true])
  })

  it('overhead, start-up and memory against their limits; a command that did not run is not met', () => {
    const t = figures(1).targets
    expect(t.map((x) => [x.what, x.met])).toEqual([
      ['check cycle, 40/8: registry requests', true],
      ['check cycle, 40/8: engine requests', true],
      ['check cycle, 40/8: CLI wall time', true],
      ['check cycle, 40/8: faster than upstream sequence', true],
      ['check cycle, 40/8: faster than docker pull', true],
      ['recreate overhead vs docker CLI', true],
      ['cold start, watchtower --help', true],
      ['cold start, credcheck --help', false],
      ['idle memory after 100 cycles', true],
      ['image linux/amd64, compressed', true],
      ['image linux/arm64, compressed', false],
    ])
    expect(t[7]!.measured).toBe('n/a (exit 1)')
    expect(t[10]!.measured).toBe('51.0 MB')
  })
})

describe('rendering', () => {
  it('the table shows every section, the ratios and the machine', () => {
    const text = renderText(figures(1))
    expect(text).toContain('2 CPUs (AMD EPYC) · 23.5 GiB · node v20.20.2')
    expect(text).toMatch(
      /upstream watchtower sequence \(replayed\) +40 +40 +40 +120 +1000 ms +12\.00× +2\.00×/,
    )
    expect(text).toContain('overhead')
    expect(text).toContain('after 100')
    expect(text).toMatch(/cold start, credcheck --help +< 300 ms +n\/a \(exit 1\) +NOT met/)
    expect(text).toContain('5. Image size: the watchtower image (node v24.22.3), per platform of its index')
    expect(text).toMatch(/linux\/amd64 +49\.1 MB +136\.5 MB +2/)
  })

  it('Markdown for RESULTS.md: one table per section, machine line, targets', () => {
    const md = renderMarkdown(figures(8))
    expect(md).toContain('# Benchmark results')
    expect(md).toContain('Machine: 2 CPUs (AMD EPYC), 23.5 GiB memory, node v20.20.2')
    expect(md).toMatch(
      /\| watchtower-ts \(CLI\) +\| 1 +\| 8 +\| 8 +\| 17 +\| 500 ms +\| 1\.00× +\| 1\.00× +\|/,
    )
    expect(md).toMatch(
      /\| check cycle, 40\/8: registry requests +\| 1 ping \+ 1 token \+ 8 HEADs = 10 +\| 1 \+ 8 \+ 8 = 17 +\| \*\*not met\*\* \|/,
    )
  })

  it('RESULTS.md is already formatted as the repository formatter wants it (pnpm lint stays green)', () => {
    const md = renderMarkdown(figures(8))
    const biome = spawnSync('npx', ['biome', 'format', '--stdin-file-path=RESULTS.md'], {
      input: md,
      encoding: 'utf8',
    })
    expect(biome.status).toBe(0)
    expect(biome.stdout).toBe(md)
  })
})

describe('memory trend', () => {
  it('is the least-squares slope, so one GC-dependent reading does not decide "flat"', async () => {
    const { slope } = await import('./footprint.ts')
    expect(slope([])).toBe(0)
    expect(slope([[10, 100]])).toBe(0)
    expect(
      slope([
        [10, 100],
        [20, 101],
        [30, 102],
      ]),
    ).toBeCloseTo(0.1)
    // Up and down around a flat line: no trend, whatever the last reading is.
    expect(
      slope([
        [10, 100],
        [20, 110],
        [30, 110],
        [40, 100],
      ]),
    ).toBe(0)
  })
})

describe('the README table', () => {
  it('is made from the figures: each row beside its alternative and target, a faster alternative shown as faster', async () => {
    const { renderReadme, replaceReadmeSection, README_BEGIN, README_END } = await import('./_report.ts')
    const f = figures(1)
    const slow = { ...f, cycle: { ...f.cycle!, ours: { ...f.cycle!.ours, ms: 1500 } } }
    const table = renderReadme({ ...slow, targets: targetsOf(slow) })
    expect(table).toContain(
      '1 ping + 1 token + 8 HEADs = **10 requests**; engine 1 + 40 + 8 + 2 = 51; **1500 ms**',
    )
    expect(table).toContain("upstream's sequence replayed: 120 requests")
    expect(table).toContain('1000 ms (1.50× faster)')
    expect(table).toContain('**not met**: CLI wall time, faster than upstream sequence')
    expect(table).toMatch(/daemon memory .* 60\.0 MiB \/ 62\.0 MiB \/ \*\*63\.0 MiB\*\*/)
    const readme = `# x\n\n${README_BEGIN}\nold\n${README_END}\n\nrest\n`
    expect(replaceReadmeSection(readme, table)).toBe(
      `# x\n\n${README_BEGIN}\n\n${table}\n\n${README_END}\n\nrest\n`,
    )
    expect(() => replaceReadmeSection('# x\n', table)).toThrow(/bench:begin/)
  })
})
