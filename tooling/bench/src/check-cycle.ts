/**
 * Benchmark 1, check cycle: N containers over U repositories on the token registry, checked with
 * `--run-once --monitor-only`, against upstream's per-container sequence and `docker pull`.
 */
import { dockerCli, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { countSince, logCursor, type RequestCounts } from './_bed.ts'
import { type Clis, cliCycle, lastLines } from './_cli.ts'
import { createDirectUpdater } from './_direct.ts'
import { cleanUp, pushRepos, runContainers, SCOPE_LABEL } from './_fixtures.ts'
import { median, timed } from './_proc.ts'
import { listUpstream, replayUpstream } from './_upstream.ts'

export interface Phase {
  /** Requests of the first run (they do not change between runs). */
  requests: RequestCounts
  /** Median wall time, ms. */
  ms: number
  runsMs: number[]
}

export interface CycleFigures {
  containers: number
  repositories: number
  /** How ours ran: the watchtower CLI, or the packages wired as the CLI wires them. */
  via: 'cli' | 'packages'
  floor: { pings: number; tokens: number; manifests: number; total: number }
  ours: Phase
  /** When ours is the CLI: the packages wired the same way, in-process (no start-up, refs known up front). */
  packages?: Phase
  upstream: Phase
  dockerPull: Phase
  ratios: {
    /** Requests: alternative ÷ ours. */
    upstreamRequests: number
    dockerPullRequests: number
    /** Wall time: alternative ÷ ours. */
    upstreamTime: number
    dockerPullTime: number
  }
}

export interface CycleOptions {
  containers: number
  repositories: number
  repeats: number
  clis: Clis
  log: (m: string) => void
}

async function phase(
  bed: Testbed,
  prefix: string,
  agent: RegExp,
  repeats: number,
  once: () => Promise<void>,
): Promise<Phase> {
  const runsMs: number[] = []
  let requests: RequestCounts | undefined
  for (let i = 0; i < repeats; i++) {
    const cursor = await logCursor(bed)
    runsMs.push((await timed(once)).ms)
    const counted = await countSince(bed, cursor, prefix, agent)
    requests ??= counted
  }
  return { requests: requests!, ms: median(runsMs), runsMs }
}

export async function benchCheckCycle(bed: Testbed, o: CycleOptions): Promise<CycleFigures> {
  const scope = uniqueName('wtbench')
  const N = o.containers
  const U = Math.min(o.repositories, N)
  o.log(`check cycle: pushing ${U} repositories, running ${N} containers (scope ${scope})`)
  const images = await pushRepos(bed, scope, U)
  try {
    await runContainers(bed, scope, images, N)
    const refs = images.map((im) => im.ref)
    const via = o.clis.cycles ? 'cli' : 'packages'

    o.log(`check cycle: ours (${via}) ×${o.repeats}`)
    // The CLI's user agent is plain `watchtower-ts`; in-process runs carry the scope in theirs.
    const esc = scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const inProcess = async () => {
      const updater = await createDirectUpdater(bed, `watchtower-ts (bench ${scope})`)
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
    }
    const packagesAgent = new RegExp(`^watchtower-ts \\(bench ${esc}\\)$`)
    const ours = await phase(
      bed,
      scope,
      via === 'cli' ? /^watchtower-ts$/ : packagesAgent,
      o.repeats,
      async () => {
        if (via === 'packages') return inProcess()
        const r = await cliCycle(o.clis, bed, { scope, monitorOnly: true })
        if (r.code !== 0) throw new Error(`watchtower --run-once failed (${r.code}): ${lastLines(r)}`)
      },
    )
    let packages: Phase | undefined
    if (via === 'cli') {
      o.log(`check cycle: the packages in-process (no start-up) ×${o.repeats}`)
      packages = await phase(bed, scope, packagesAgent, o.repeats, inProcess)
    }

    o.log(`check cycle: upstream's sequence replayed ×${o.repeats}`)
    const host = bed.registries.token.host
    const upstream = await phase(bed, scope, /^upstream-replay/, o.repeats, async () => {
      const listed = await listUpstream(bed.docker.socketPath, `${SCOPE_LABEL}=${scope}`)
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
    })

    o.log(`check cycle: docker pull of each of the ${U} images ×${o.repeats}`)
    const dockerPull = await phase(bed, scope, /^docker\//, o.repeats, async () => {
      for (const ref of refs) await dockerCli(bed, ['pull', '-q', ref], { reject: true })
    })

    const total = (p: Phase) => p.requests.total
    return {
      containers: N,
      repositories: U,
      via,
      floor: { pings: 1, tokens: 1, manifests: U, total: U + 2 },
      ours,
      ...(packages ? { packages } : {}),
      upstream,
      dockerPull,
      ratios: {
        upstreamRequests: total(upstream) / total(ours),
        dockerPullRequests: total(dockerPull) / total(ours),
        upstreamTime: upstream.ms / ours.ms,
        dockerPullTime: dockerPull.ms / ours.ms,
      },
    }
  } finally {
    o.log('check cycle: removing its containers and tags')
    await cleanUp(bed, scope, images)
  }
}
