/** `pnpm bench` (run through bin.mjs, which bundles this file first). */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseBenchArgs, USAGE } from './_args.ts'
import { bringUpBed, releaseBed } from './_bed.ts'
import { type BundleApp, prepareClis } from './_cli.ts'
import { describeMachine } from './_machine.ts'
import {
  type Figures,
  renderMarkdown,
  renderReadme,
  renderText,
  replaceReadmeSection,
  targetsOf,
} from './_report.ts'
import { benchCheckCycle } from './check-cycle.ts'
import { benchFleet } from './fleet.ts'
import { benchFootprint, type StandInConfig } from './footprint.ts'
import { benchImageSize } from './image-size.ts'
import { benchPolicies } from './policies.ts'
import { benchProfile } from './profile.ts'
import { benchStartup } from './startup.ts'
import { benchUpdate } from './update.ts'

export { standInDaemon } from './daemon.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..', '..', '..')

export interface MainContext {
  /** The bundled file this code runs from (the stand-in daemon is started from it). */
  bundle: string
  bundleApp: BundleApp
}

export async function main(argv: string[], ctx: MainContext): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>
  try {
    args = parseBenchArgs(argv)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`)
  const bed = await bringUpBed(ROOT, log)
  const tmpDir = await mkdtemp(join(tmpdir(), 'wt-bench-'))
  try {
    const machine = await describeMachine(bed)
    const clis = await prepareClis(ROOT, bed, { build: args.build, log, bundleApp: ctx.bundleApp, tmpDir })
    if (args.via === 'cli' && !clis.cycles)
      throw new Error(`--via cli: the CLI cannot run a cycle (${clis.note})`)
    if (args.via === 'packages' && clis.cycles) {
      clis.cycles = false
      clis.note = '--via packages'
    }
    log(
      clis.cycles
        ? `watchtower CLI runs cycles: measuring the CLI (${clis.origin === 'build' ? 'built dist' : 'bundled from sources'})`
        : `watchtower CLI not usable for cycles (${clis.note}): measuring the packages wired as the CLI wires them`,
    )
    const on = (name: (typeof args.only)[number]) => args.only.includes(name)
    const subject = clis.cycles
      ? `the watchtower CLI (${clis.origin === 'build' ? 'apps/watchtower/bin.js, built' : `bundled from its sources: ${clis.note}`})`
      : `the packages wired as the CLI wires them (${clis.note})`
    const partial: Omit<Figures, 'targets'> = { machine, command: ['pnpm bench', ...argv].join(' '), subject }
    if (on('cycle')) {
      partial.cycle = await benchCheckCycle(bed, {
        containers: args.containers,
        repositories: args.repos,
        repeats: args.repeats,
        clis,
        tmpDir,
        log,
      })
    }
    if (on('scale')) {
      partial.scale = []
      for (const n of args.scale) {
        partial.scale.push(
          await benchCheckCycle(bed, {
            containers: n,
            repositories: args.scaleRepos,
            repeats: Math.min(args.repeats, 2),
            clis,
            tmpDir,
            skipDockerPull: true,
            log,
          }),
        )
      }
    }
    if (on('profile')) {
      if (!clis.cycles) throw new Error(`--only profile: the CLI cannot run a cycle (${clis.note})`)
      partial.profile = await benchProfile(bed, {
        containers: args.containers,
        repositories: args.repos,
        clis,
        tmpDir,
        ...(args.profileDir ? { keepIn: args.profileDir } : {}),
        log,
      })
    }
    if (on('update')) {
      partial.update = await benchUpdate(bed, { containers: args.updates, repeats: args.repeats, clis, log })
    }
    if (on('startup')) {
      log(`start-up: ${args.startupRuns} runs per command`)
      partial.startup = await benchStartup(bed, clis, args.startupRuns)
    }
    if (on('footprint')) {
      partial.footprint = await benchFootprint(bed, {
        containers: args.containers,
        repositories: args.repos,
        cycles: args.cycles,
        clis,
        spawnStandIn: (config) => spawnStandIn(ctx.bundle, config),
        log,
      })
    }
    if (on('image')) partial.image = await benchImageSize(ROOT, tmpDir, log)
    if (on('policies')) {
      partial.policies = await benchPolicies(bed, {
        containers: args.containers,
        repositories: args.repos,
        clis,
        log,
      })
    }
    if (on('fleet')) partial.fleet = await benchFleet(bed, { log })
    const figures: Figures = { ...partial, targets: targetsOf(partial) }
    process.stdout.write(args.json ? `${JSON.stringify(figures, null, 2)}\n` : renderText(figures))
    if (args.writeResults) {
      const file = join(ROOT, 'tooling/bench/RESULTS.md')
      await writeFile(file, renderMarkdown(figures))
      log(`wrote ${file}`)
      const readme = join(ROOT, 'README.md')
      await writeFile(readme, replaceReadmeSection(await readFile(readme, 'utf8'), renderReadme(figures)))
      log(`wrote the performance table of ${readme}`)
    }
    return 0
  } finally {
    await rm(tmpDir, { recursive: true, force: true })
    await releaseBed()
  }
}

function spawnStandIn(bundle: string, config: StandInConfig) {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); await m.standInDaemon(JSON.parse(process.env.WT_BENCH_STANDIN))`
  return spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, WT_BENCH_STANDIN: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}
