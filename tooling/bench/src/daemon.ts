/**
 * Stand-in for the watchtower daemon while the CLI cannot run cycles: the packages wired as the
 * CLI wires them, one long-lived updater, a monitor-only cycle every `intervalMs`.
 */
import { createDirectUpdater } from './_direct.ts'
import type { StandInConfig } from './footprint.ts'

export async function standInDaemon(config: StandInConfig): Promise<never> {
  const updater = await createDirectUpdater(config.bed, `watchtower-ts (bench ${config.scope})`)
  for (;;) {
    const started = Date.now()
    try {
      await updater.cycle({ scope: config.scope, refs: config.refs, monitorOnly: true })
    } catch (err) {
      process.stderr.write(`stand-in daemon: cycle failed: ${(err as Error).message}\n`)
    }
    if (process.env['WT_BENCH_DEBUG_MEMORY'] === '1') {
      const m = process.memoryUsage()
      const f = (x: number) => (x / 2 ** 20).toFixed(1)
      process.stderr.write(
        `stand-in daemon: rss ${f(m.rss)} heapUsed ${f(m.heapUsed)} heapTotal ${f(m.heapTotal)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)} MiB\n`,
      )
    }
    const wait = config.intervalMs - (Date.now() - started)
    await new Promise((r) => setTimeout(r, Math.max(wait, 0)))
  }
}
