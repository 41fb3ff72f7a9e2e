/**
 * Benchmark 1, check cycle: N containers over U repositories on the token registry, checked with
 * `--run-once --monitor-only`, against upstream's per-container sequence and `docker pull`.
 */
import { join } from 'node:path'
import { dockerCli, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { countSince, logCursor, type RequestCounts } from './_bed.ts'
import { type Clis, cliCycle, lastLines } from './_cli.ts'
import { createDirectUpdater } from './_direct.ts'
import {
  type EngineCallSummary,
  type EngineProxy,
  startEngineProxy,
  summarizeEngine,
} from './_engine-proxy.ts'
import { cleanUp, pushRepos, runContainers, SCOPE_LABEL } from './_fixtures.ts'
import { median, timed } from './_proc.ts'
import { listUpstream, replayUpstream } from './_upstream.ts'

/** registry-client's `maxScopesPerToken` default: a bigger cycle asks one token per group. */
export const SCOPES_PER_TOKEN = 32

export interface Phase {
  /** Registry requests of the counted run (they do not change between runs). */
  requests: RequestCounts
  /** Engine requests of the counted run, as the engine's socket received them (counting proxy). */
  engine?: EngineCallSummary
  /** Median wall time of the timed runs (straight to the engine, no proxy), ms. */
  ms: number
  runsMs: number[]
  /** Peak resident memory of the CLI process in the counted run, MiB (maximum RSS). */
  peakMiB?: number
}

export interface CycleFigures {
  containers: number
  repositories: number
  /** How ours ran: the watchtower CLI, or the packages wired as the CLI wires them. */
  via: 'cli' | 'packages'
  floor: { pings: number; tokens: number; manifests: number; total: number }
  /** One list, one inspect per container, one image inspect per distinct image (by digest). */
  engineFloor: { lists: number; containerInspects: number; imageInspects: number; total: number }
  ours: Phase
  /** When ours is the CLI: the packages wired the same way, in-process (no start-up, refs known up front). */
  packages?: Phase
  upstream: Phase
  /** Left out of the scale rows. */
  dockerPull?: Phase
  ratios: {
    /** Requests: alternative ÷ ours. */
    upstreamRequests: number
    dockerPullRequests?: number
    /** Wall time: alternative ÷ ours. */
    upstreamTime: number
    dockerPullTime?: number
  }
}

export interface CycleOptions {
  containers: number
  repositories: number
  repeats: number
  clis: Clis
  /** A folder for the counting proxy's socket. */
  tmpDir: string
  /** Leave out `docker pull` (scale rows: it does not depend on the number of containers). */
  skipDockerPull?: boolean
  log: (m: string) => void
}

/** The bed seen through the counting proxy: every engine request goes through its socket. */
function viaProxy(bed: Testbed, proxy: EngineProxy): Testbed {
  return {
    ...bed,
    docker: { ...bed.docker, host: `unix://${proxy.socketPath}`, socketPath: proxy.socketPath },
  }
}

/**
 * One counted run through the engine proxy (registry and engine requests), then `repeats` timed
 * runs straight to the engine (the proxy's extra hop is in no wall time).
 */
async function phase(
  bed: Testbed,
  proxy: EngineProxy,
  prefix: string,
  agent: RegExp,
  repeats: number,
  once: (bed: Testbed, counted: boolean) => Promise<number | undefined>,
): Promise<Phase> {
  const cursor = await logCursor(bed)
  proxy.reset()
  const peakMiB = await once(viaProxy(bed, proxy), true)
  const engine = summarizeEngine(proxy.counts())
  const requests = await countSince(bed, cursor, prefix, agent)
  const runsMs: number[] = []
  for (let i = 0; i < repeats; i++) runsMs.push((await timed(() => once(bed, false))).ms)
  return { requests, engine, ms: median(runsMs), runsMs, ...(peakMiB === undefined ? {} : { peakMiB }) }
}

export async function benchCheckCycle(bed: Testbed, o: CycleOptions): Promise<CycleFigures> {
  const scope = uniqueName('wtbench')
  const N = o.containers
  const U = Math.min(o.repositories, N)
  o.log(`check cycle: pushing ${U} repositories, running ${N} containers (scope ${scope})`)
  const images = await pushRepos(bed, scope, U)
  const proxy = await startEngineProxy(bed.docker.socketPath, join(o.tmpDir, `engine-${scope}.sock`))
  try {
    await runContainers(bed, scope, images, N)
    const refs = images.map((im) => im.ref)
    const via = o.clis.cycles ? 'cli' : 'packages'

    o.log(`check cycle: ours (${via}) ×${o.repeats}`)
    // The CLI's user agent is plain `watchtower-ts`; in-process runs carry the scope in theirs.
    const esc = scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const inProcess = async (b: Testbed) => {
      const updater = await createDirectUpdater(b, `watchtower-ts (bench ${scope})`)
      try {
        const report = await updater.cycle({ scope, refs, monitorOnly: true })
        if (report.counts.fresh !== N) {
          const bad = report.containers.find((c) => c.state !== 'fresh')
          throw new Error(
            `expected ${N} fresh containers, got ${JSON.stringify(report.counts)}: ${bad?.error}`,
          )
        }
      } finally {
        await updater.close()
      }
      return undefined
    }
    const packagesAgent = new RegExp(`^watchtower-ts \\(bench ${esc}\\)$`)
    const ours = await phase(
      bed,
      proxy,
      scope,
      via === 'cli' ? /^watchtower-ts$/ : packagesAgent,
      o.repeats,
      async (b, counted) => {
        if (via === 'packages') return inProcess(b)
        const r = await cliCycle(o.clis, b, { scope, monitorOnly: true, peakMemory: counted })
        if (r.code !== 0) throw new Error(`watchtower --run-once failed (${r.code}): ${lastLines(r)}`)
        return r.peakMiB
      },
    )
    let packages: Phase | undefined
    if (via === 'cli') {
      o.log(`check cycle: the packages in-process (no start-up) ×${o.repeats}`)
      packages = await phase(bed, proxy, scope, packagesAgent, o.repeats, inProcess)
    }

    o.log(`check cycle: upstream's sequence replayed ×${o.repeats}`)
    const host = bed.registries.token.host
    const upstream = await phase(bed, proxy, scope, /^upstream-replay/, o.repeats, async (b) => {
      const listed = await listUpstream(b.docker.socketPath, `${SCOPE_LABEL}=${scope}`)
      if (listed.length !== N) throw new Error(`upstream replay listed ${listed.length} containers, not ${N}`)
      const targets = listed.map((ref) => {
        const [repository, tag] = ref.slice(host.length + 1).split(':')
        return { host, repository: repository!, tag: tag ?? 'latest' }
      })
      await replayUpstream(targets, {
        caFile: bed.tls.caCert,
        username: bed.users.alice.username,
        password: bed.users.alice.password,
        userAgent: `upstream-replay (bench ${scope})`,
      })
      return undefined
    })

    let dockerPull: Phase | undefined
    if (!o.skipDockerPull) {
      o.log(`check cycle: docker pull of each of the ${U} images ×${o.repeats}`)
      dockerPull = await phase(bed, proxy, scope, /^docker\//, o.repeats, async (b) => {
        for (const ref of refs) await dockerCli(b, ['pull', '-q', ref], { reject: true })
        return undefined
      })
    }

    const total = (p: Phase) => p.requests.total
    // The repositories may hold the same image: the engine has one image per distinct digest.
    const distinct = new Set(images.map((im) => im.digest)).size
    return {
      containers: N,
      repositories: U,
      via,
      // registry-client's default: one token covers at most 32 repositories (maxScopesPerToken)
      floor: {
        pings: 1,
        tokens: Math.ceil(U / SCOPES_PER_TOKEN),
        manifests: U,
        total: 1 + Math.ceil(U / SCOPES_PER_TOKEN) + U,
      },
      engineFloor: { lists: 1, containerInspects: N, imageInspects: distinct, total: 1 + N + distinct },
      ours,
      ...(packages ? { packages } : {}),
      upstream,
      ...(dockerPull ? { dockerPull } : {}),
      ratios: {
        upstreamRequests: total(upstream) / total(ours),
        upstreamTime: upstream.ms / ours.ms,
        ...(dockerPull
          ? { dockerPullRequests: total(dockerPull) / total(ours), dockerPullTime: dockerPull.ms / ours.ms }
          : {}),
      },
    }
  } finally {
    await proxy.close()
    o.log('check cycle: removing its containers and tags')
    await cleanUp(bed, scope, images)
  }
}
