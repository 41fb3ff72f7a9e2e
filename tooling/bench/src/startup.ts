/** Benchmark 3, start-up: `watchtower --help` and `credcheck --help`, cold, median of repeated runs. */
import type { Testbed } from '@watchtower-ts/testbed'
import { type Clis, cliEnv } from './_cli.ts'
import { median, run } from './_proc.ts'

export interface StartupRow {
  name: string
  command: string
  /** Median wall time (spawn → exit), ms; undefined when it could not run. */
  medianMs: number | undefined
  /** The first run (compile cache and page cache cold, as far as one run after a build is). */
  firstMs: number | undefined
  note?: string
}

export interface StartupFigures {
  runs: number
  rows: StartupRow[]
}

async function measure(
  name: string,
  cmd: string,
  args: string[],
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<StartupRow> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = await run(cmd, args, { env })
    if (r.code !== 0) {
      return {
        name,
        command: [cmd, ...args].join(' '),
        medianMs: undefined,
        firstMs: undefined,
        note: `exit ${r.code}`,
      }
    }
    times.push(r.ms)
  }
  return { name, command: [cmd, ...args].join(' '), medianMs: median(times), firstMs: times[0] }
}

export async function benchStartup(bed: Testbed, clis: Clis, runs: number): Promise<StartupFigures> {
  const env = cliEnv(bed)
  const node = process.execPath
  const rows: StartupRow[] = []
  for (const [name, bin] of [
    ['watchtower --help', clis.watchtower],
    ['credcheck --help', clis.credcheck],
  ] as const) {
    if (clis.built) rows.push(await measure(name, node, [bin, '--help'], runs, env))
    else
      rows.push({
        name,
        command: `node ${bin} --help`,
        medianMs: undefined,
        firstMs: undefined,
        note: clis.note,
      })
  }
  if (clis.cycles) {
    // The start-up a user waits for in a real run: engine, trust store, registry client, logger.
    rows.push(
      await measure(
        'watchtower --run-once, nothing in scope',
        node,
        [
          clis.watchtower,
          '--run-once',
          '--monitor-only',
          '--scope',
          'wt-bench-empty',
          '--registry-ca',
          bed.tls.caCert,
        ],
        runs,
        env,
      ),
    )
  }
  // For scale: node itself doing nothing, and a Go CLI (what upstream watchtower is written in).
  rows.push(await measure('node -e 0 (floor)', node, ['-e', '0'], runs, env))
  rows.push(await measure('docker --help (a Go CLI)', 'docker', ['--help'], runs, env))
  return { runs, rows }
}
