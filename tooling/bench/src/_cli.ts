/** The built CLIs (apps/watchtower, apps/credcheck), run as a user runs them. */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Testbed } from '@watchtower-ts/testbed'
import { type Ran, run } from './_proc.ts'

export interface Clis {
  watchtower: string
  credcheck: string
  /** Built and runnable (`--help` answered). */
  built: boolean
  /** Runs a real check cycle (`--run-once` is wired to the packages). */
  cycles: boolean
  /** Where the CLIs come from: `build` (apps' dist, as published) or `bundle` (esbuild from sources). */
  origin: 'build' | 'bundle'
  /** Why not, when one of the above is false; why bundled. */
  note?: string
}

/** Bundles an app's bin.js with its sources into `outdir/bin.mjs` (bin.mjs provides it: esbuild lives there). */
export type BundleApp = (bin: string, outdir: string) => Promise<void>

/** Environment for the watchtower CLI against the bed. */
export function cliEnv(bed: Testbed): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    DOCKER_HOST: bed.docker.host,
    DOCKER_CONFIG: bed.dockerConfigDir,
  }
}

/** `pnpm --filter <app>... build` for both apps (with the packages they use), then probes them. */
export async function prepareClis(
  root: string,
  bed: Testbed,
  options: { build: boolean; log: (m: string) => void; bundleApp: BundleApp; tmpDir: string },
): Promise<Clis> {
  const bins = {
    watchtower: join(root, 'apps/watchtower/bin.js'),
    credcheck: join(root, 'apps/credcheck/bin.js'),
  }
  const clis: Clis = { ...bins, built: false, cycles: false, origin: 'build' }
  let why: string | undefined
  if (options.build) {
    options.log('building apps/watchtower and apps/credcheck (pnpm --filter … build)')
    const b = await run(
      'pnpm',
      ['--filter', '@watchtower-ts/watchtower...', '--filter', '@watchtower-ts/credcheck...', 'run', 'build'],
      { cwd: root },
    )
    if (b.code !== 0) why = `the build failed: ${lastLines(b, 2)}`
  }
  const distOk = ['watchtower', 'credcheck'].every((a) => existsSync(join(root, `apps/${a}/dist/index.js`)))
  if (!why && !distOk) why = 'the apps are not built'
  if (why) {
    options.log(`${why}; bundling the CLIs from their sources instead`)
    clis.origin = 'bundle'
    clis.note = why
    clis.watchtower = join(options.tmpDir, 'watchtower', 'bin.mjs')
    clis.credcheck = join(options.tmpDir, 'credcheck', 'bin.mjs')
    try {
      await options.bundleApp(bins.watchtower, dirname(clis.watchtower))
      await options.bundleApp(bins.credcheck, dirname(clis.credcheck))
    } catch (err) {
      clis.note = `${why}; bundling them failed too: ${(err as Error).message.split('\n')[0]}`
      return clis
    }
  }
  const help = await run(process.execPath, [clis.watchtower, '--help'], { env: cliEnv(bed) })
  const help2 = await run(process.execPath, [clis.credcheck, '--help'], { env: cliEnv(bed) })
  if (help.code !== 0 || help2.code !== 0) {
    clis.note = `--help failed: ${lastLines(help.code !== 0 ? help : help2)}`
    return clis
  }
  clis.built = true
  // A cycle over a scope no container has: exit 0 means the CLI runs cycles.
  const probe = await cliCycle(clis, bed, { scope: 'wt-bench-probe-empty', monitorOnly: true })
  if (probe.code === 0) clis.cycles = true
  else clis.note = `watchtower --run-once does not run a cycle: ${lastLines(probe)}`
  return clis
}

/** GNU time, which reports a child's maximum resident set size (`%M`, KiB). */
const GNU_TIME = '/usr/bin/time'

/**
 * `watchtower --run-once [--monitor-only] --scope S --registry-ca CA`. With `peakMemory`, run
 * under GNU time (when the machine has it) for the process's maximum RSS.
 */
export async function cliCycle(
  clis: Clis,
  bed: Testbed,
  o: { scope: string; monitorOnly: boolean; extra?: readonly string[]; peakMemory?: boolean },
): Promise<Ran & { peakMiB?: number }> {
  const args = [clis.watchtower, '--run-once', '--scope', o.scope, '--registry-ca', bed.tls.caCert]
  if (o.monitorOnly) args.push('--monitor-only')
  if (o.extra) args.push(...o.extra)
  if (!o.peakMemory || !existsSync(GNU_TIME)) {
    return run(process.execPath, args, { env: cliEnv(bed), timeoutMs: 600_000 })
  }
  const dir = await mkdtemp(join(tmpdir(), 'wt-bench-time-'))
  try {
    const out = join(dir, 'rss')
    const r = await run(GNU_TIME, ['-f', '%M', '-o', out, process.execPath, ...args], {
      env: cliEnv(bed),
      timeoutMs: 600_000,
    })
    const kib = Number((await readFile(out, 'utf8')).trim().split('\n').at(-1))
    return Number.isFinite(kib) && kib > 0 ? { ...r, peakMiB: kib / 1024 } : r
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function lastLines(r: Ran, n = 3): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-n).join(' | ')
}
