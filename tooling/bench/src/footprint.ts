/**
 * Benchmark 4, footprint: resident memory of the daemon, idle after one cycle and after C cycles,
 * cycles counted from the registry's own log (U manifest requests per cycle).
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registryRequests, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { type Clis, cliEnv } from './_cli.ts'
import { cleanUp, pushRepos, runContainers } from './_fixtures.ts'
import { hwmMiB, rssMiB, rssPartsMiB, sleep } from './_proc.ts'

export interface FootprintFigures {
  via: 'cli' | 'packages'
  containers: number
  repositories: number
  intervalSeconds: number
  cycles: number
  /** MiB (VmRSS) shortly after the cycle ended. */
  afterFirstMiB: number
  /** The process's peak so far (VmHWM) after the first cycle, MiB. */
  peakFirstMiB?: number
  afterTenthMiB: number
  afterLastMiB: number
  /** afterLast − afterTenth. */
  growthMiB: number
  /** Least-squares slope of the readings from cycle 10 on, MiB per 100 cycles (GC noise averages out). */
  trendMiBPer100: number
  /** VmRSS every 10 cycles: [cycle, MiB]. */
  series: [number, number][]
  /** A bare `node` process idle, for scale. */
  nodeIdleMiB: number
  /** The last reading and idle node split into anonymous memory and mapped files (the node binary's pages). */
  afterLastParts?: { anonMiB: number; fileMiB: number }
  nodeIdleParts?: { anonMiB: number; fileMiB: number }
}

export interface FootprintOptions {
  containers: number
  repositories: number
  cycles: number
  clis: Clis
  /** Starts the packages-built stand-in daemon (when the CLI cannot run cycles). */
  spawnStandIn: (config: StandInConfig) => ChildProcess
  log: (m: string) => void
}

export interface StandInConfig {
  bed: Testbed
  scope: string
  refs: string[]
  intervalMs: number
}

const INTERVAL_S = 1

export async function benchFootprint(bed: Testbed, o: FootprintOptions): Promise<FootprintFigures> {
  const scope = uniqueName('wtbench-mem')
  const U = Math.min(o.repositories, o.containers)
  const via = o.clis.cycles ? 'cli' : 'packages'
  o.log(
    `footprint: ${o.containers} containers over ${U} repositories, ${o.cycles} cycles every ${INTERVAL_S} s`,
  )
  const images = await pushRepos(bed, scope, U)
  // the daemon's heartbeat file in a folder of the bench's own (on a machine with /.dockerenv it
  // would otherwise go to /tmp/watchtower-ts and stay there)
  const heartbeatDir = await mkdtemp(join(tmpdir(), 'wt-bench-heartbeat-'))
  let child: ChildProcess | undefined
  try {
    await runContainers(bed, scope, images, o.containers)
    const refs = images.map((im) => im.ref)
    const before = (await registryRequests(bed, 'token')).length
    child =
      via === 'cli'
        ? spawn(
            process.execPath,
            [
              o.clis.watchtower,
              '--monitor-only',
              '--scope',
              scope,
              '--registry-ca',
              bed.tls.caCert,
              '--interval',
              String(INTERVAL_S),
              '--heartbeat-file',
              join(heartbeatDir, 'heartbeat.json'),
            ],
            { env: cliEnv(bed), stdio: 'ignore' },
          )
        : o.spawnStandIn({ bed, scope, refs, intervalMs: INTERVAL_S * 1000 })
    const pid = child.pid
    if (pid === undefined) throw new Error('footprint: the daemon did not start')
    let exited = false
    child.on('exit', () => {
      exited = true
    })
    const cyclesDone = async () => {
      const reqs = (await registryRequests(bed, 'token')).slice(before)
      return Math.floor(
        reqs.filter((r) => r.path.includes(`/${scope}/`) && r.path.includes('/manifests/')).length / U,
      )
    }
    const series: [number, number][] = []
    const waitFor = async (n: number): Promise<number> => {
      const deadline = Date.now() + 120_000 + n * INTERVAL_S * 3000
      while ((await cyclesDone()) < n) {
        if (exited) throw new Error(`footprint: the daemon exited before cycle ${n}`)
        if (Date.now() > deadline) throw new Error(`footprint: cycle ${n} did not happen in time`)
        await sleep(100)
      }
      await sleep(200) // idle: the cycle has ended, the next is ~0.8 s away
      const mib = await rssMiB(pid)
      series.push([n, mib])
      return mib
    }
    const afterFirstMiB = await waitFor(1)
    const peakFirstMiB = await hwmMiB(pid)
    let afterTenthMiB = afterFirstMiB
    for (let n = 10; n <= o.cycles; n += 10) {
      const mib = await waitFor(n)
      if (n === 10) afterTenthMiB = mib
      if (n % 50 === 0) o.log(`footprint: ${n} cycles, ${mib.toFixed(1)} MiB`)
    }
    const afterLastMiB = o.cycles % 10 === 0 && o.cycles >= 10 ? series.at(-1)![1] : await waitFor(o.cycles)
    const afterLastParts = await rssPartsMiB(pid)
    const idle = await nodeIdle()
    return {
      via,
      containers: o.containers,
      repositories: U,
      intervalSeconds: INTERVAL_S,
      cycles: o.cycles,
      afterFirstMiB,
      ...(peakFirstMiB === undefined ? {} : { peakFirstMiB }),
      afterTenthMiB,
      afterLastMiB,
      growthMiB: afterLastMiB - afterTenthMiB,
      trendMiBPer100: slope(series.filter(([n]) => n >= 10)) * 100,
      series,
      nodeIdleMiB: idle.mib,
      ...(afterLastParts ? { afterLastParts } : {}),
      ...(idle.parts ? { nodeIdleParts: idle.parts } : {}),
    }
  } finally {
    const exited =
      child && child.exitCode === null && child.signalCode === null
        ? new Promise((r) => child!.once('exit', r))
        : Promise.resolve()
    child?.kill('SIGTERM')
    await cleanUp(bed, scope, images)
    await Promise.race([exited, sleep(10_000)])
    await rm(heartbeatDir, { recursive: true, force: true })
  }
}

async function nodeIdle(): Promise<{ mib: number; parts?: { anonMiB: number; fileMiB: number } }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  try {
    await sleep(1000)
    const parts = await rssPartsMiB(child.pid!)
    return { mib: await rssMiB(child.pid!), ...(parts ? { parts } : {}) }
  } finally {
    child.kill('SIGTERM')
  }
}

/** Least-squares slope of y over x (0 with fewer than two points). */
export function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}
