/**
 * Benchmark 2, update: K stale containers recreated end to end (pull + stop + recreate + start),
 * by watchtower versus the same done with the docker CLI.
 */
import { dockerCli, pushImage, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { type Clis, cliCycle, lastLines } from './_cli.ts'
import { createDirectUpdater } from './_direct.ts'
import { cleanUp, runArgs, runContainers } from './_fixtures.ts'
import { median, timed } from './_proc.ts'

export interface UpdateFigures {
  containers: number
  via: 'cli' | 'packages'
  /** Median wall time, ms. */
  oursMs: number
  dockerCliMs: number
  oursRunsMs: number[]
  dockerCliRunsMs: number[]
  /** When ours is the CLI: docker-updater in-process (no start-up), median ms. */
  packagesMs?: number
  packagesRunsMs?: number[]
  /** (ours − docker CLI) ÷ K, ms. */
  overheadPerContainerMs: number
  /** ours ÷ docker CLI − 1, percent. */
  overheadPercent: number
}

export interface UpdateOptions {
  containers: number
  repeats: number
  clis: Clis
  log: (m: string) => void
}

type Variant = 'ours' | 'docker' | 'packages'

/** K containers on v1, then v2 pushed under the same tag: every container is stale. */
async function staleSet(bed: Testbed, K: number) {
  const scope = uniqueName('wtbench-upd')
  const repository = `${scope}/app`
  const v1 = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'latest' })
  const names = await runContainers(bed, scope, [v1], K)
  const v2 = await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: 'latest' })
  return { scope, ref: v1.ref, names, images: [v1, v2] }
}

async function imageOf(bed: Testbed, name: string): Promise<string> {
  return (await dockerCli(bed, ['inspect', '-f', '{{.Image}}', name], { reject: true })).stdout.trim()
}

export async function benchUpdate(bed: Testbed, o: UpdateOptions): Promise<UpdateFigures> {
  const K = o.containers
  const via = o.clis.cycles ? 'cli' : 'packages'
  const runs: Record<Variant, number[]> = { ours: [], docker: [], packages: [] }
  const label: Record<Variant, string> = {
    ours: `ours (${via})`,
    docker: 'docker CLI',
    packages: 'docker-updater in-process',
  }
  const v2Id = (
    await dockerCli(bed, ['inspect', '-f', '{{.Id}}', bed.images.v2], { reject: true })
  ).stdout.trim()
  for (let r = 0; r < o.repeats; r++) {
    const variants: Variant[] = via === 'cli' ? ['ours', 'docker', 'packages'] : ['ours', 'docker']
    const order = r % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) {
      o.log(`update: ${label[variant]}, ${K} stale containers (run ${r + 1})`)
      const set = await staleSet(bed, K)
      try {
        const t = await timed(() =>
          variant === 'docker'
            ? byDockerCli(bed, set)
            : ours(bed, o.clis, variant === 'ours' ? via : 'packages', set),
        )
        for (const name of set.names) {
          if ((await imageOf(bed, name)) !== v2Id)
            throw new Error(`update (${variant}): ${name} is not on v2`)
        }
        runs[variant].push(t.ms)
      } finally {
        await cleanUp(bed, set.scope, set.images)
      }
    }
  }
  const oursMs = median(runs.ours)
  const dockerCliMs = median(runs.docker)
  return {
    containers: K,
    via,
    oursMs,
    dockerCliMs,
    oursRunsMs: runs.ours,
    dockerCliRunsMs: runs.docker,
    ...(runs.packages.length > 0 ? { packagesMs: median(runs.packages), packagesRunsMs: runs.packages } : {}),
    overheadPerContainerMs: (oursMs - dockerCliMs) / K,
    overheadPercent: (oursMs / dockerCliMs - 1) * 100,
  }
}

async function ours(
  bed: Testbed,
  clis: Clis,
  via: 'cli' | 'packages',
  set: { scope: string; ref: string; names: string[] },
): Promise<void> {
  if (via === 'cli') {
    const r = await cliCycle(clis, bed, { scope: set.scope, monitorOnly: false })
    if (r.code !== 0) throw new Error(`watchtower --run-once failed (${r.code}): ${lastLines(r)}`)
    return
  }
  const updater = await createDirectUpdater(bed, `watchtower-ts (bench ${set.scope})`)
  try {
    const report = await updater.cycle({ scope: set.scope, refs: [set.ref], monitorOnly: false })
    if (report.counts.updated !== set.names.length) {
      const bad = report.containers.find((c) => c.state !== 'updated')
      throw new Error(
        `expected ${set.names.length} updated, got ${JSON.stringify(report.counts)}: ${bad?.error}`,
      )
    }
  } finally {
    await updater.close()
  }
}

/** What a script does: pull, then stop, remove, create and start each container. */
async function byDockerCli(
  bed: Testbed,
  set: { scope: string; ref: string; names: string[] },
): Promise<void> {
  await dockerCli(bed, ['pull', '-q', set.ref], { reject: true })
  for (const name of set.names) {
    await dockerCli(bed, ['stop', name], { reject: true })
    await dockerCli(bed, ['rm', name], { reject: true })
    await dockerCli(bed, ['create', ...runArgs(name, set.scope, set.ref).slice(1)], { reject: true })
    await dockerCli(bed, ['start', name], { reject: true })
  }
}
