/**
 * `--only profile`: where the CLI's `--run-once --monitor-only` time goes. The CLI runs once to
 * warm its compile cache, then once under `node --cpu-prof`; the profile is summed up by phase and
 * by kind of work (src/_cpu-profile.ts). The profile file is kept when `--profile-dir` is given.
 */
import { cp, readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { type Clis, cliEnv, lastLines } from './_cli.ts'
import { type CpuProfile, dominantPackage, summarizeProfile } from './_cpu-profile.ts'
import { cleanUp, pushRepos, runContainers } from './_fixtures.ts'
import { run } from './_proc.ts'

export interface ProfileFigures {
  containers: number
  repositories: number
  /** Wall time of the profiled run (profiling slows it down), ms. */
  wallMs: number
  totalMs: number
  phases: [string, number][]
  kinds: [string, number][]
}

export async function benchProfile(
  bed: Testbed,
  o: {
    containers: number
    repositories: number
    clis: Clis
    tmpDir: string
    keepIn?: string
    log: (m: string) => void
  },
): Promise<ProfileFigures> {
  const scope = uniqueName('wtbench-prof')
  const U = Math.min(o.repositories, o.containers)
  o.log(`profile: ${o.containers} containers over ${U} repositories, the CLI under --cpu-prof`)
  const images = await pushRepos(bed, scope, U)
  try {
    await runContainers(bed, scope, images, o.containers)
    const args = [
      o.clis.watchtower,
      '--run-once',
      '--monitor-only',
      '--scope',
      scope,
      '--registry-ca',
      bed.tls.caCert,
    ]
    const warm = await run(process.execPath, args, { env: cliEnv(bed) })
    if (warm.code !== 0) throw new Error(`profile: watchtower --run-once failed: ${lastLines(warm)}`)
    const dir = join(o.tmpDir, `profile-${scope}`)
    const r = await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], {
      env: cliEnv(bed),
    })
    if (r.code !== 0) throw new Error(`profile: watchtower --run-once failed: ${lastLines(r)}`)
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))
    if (!file) throw new Error('profile: node wrote no .cpuprofile')
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
    // Bundle chunks that hold mostly one third-party package are named after it.
    const chunkPackages = new Map<string, string>()
    const chunkDir = join(dirname(o.clis.watchtower), 'dist', 'bin', 'chunks')
    for (const f of await readdir(chunkDir).catch(() => [] as string[])) {
      const pkg = dominantPackage(await readFile(join(chunkDir, f), 'utf8'))
      if (pkg) chunkPackages.set(pathToFileURL(join(chunkDir, f)).href, pkg)
    }
    if (o.keepIn) {
      await cp(join(dir, file), join(o.keepIn, `watchtower-run-once-${o.containers}.cpuprofile`))
      o.log(`profile: kept in ${o.keepIn}`)
    }
    const s = summarizeProfile(profile, chunkPackages)
    return { containers: o.containers, repositories: U, wallMs: r.ms, ...s }
  } finally {
    await cleanUp(bed, scope, images)
  }
}
