/** `pnpm bench` (run through bin.mjs). */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseBenchArgs, USAGE } from './_args.ts'
import { bringUpBed, releaseBed } from './_bed.ts'
import { prepareClis } from './_cli.ts'
import { benchCheckCycle } from './check-cycle.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export async function main(argv: string[]): Promise<number> {
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
  try {
    const clis = await prepareClis(ROOT, bed, { build: args.build, log })
    log(`CLIs: built=${clis.built} cycles=${clis.cycles}${clis.note ? ` (${clis.note})` : ''}`)
    const cycle = await benchCheckCycle(bed, {
      containers: args.containers,
      repositories: args.repos,
      repeats: args.repeats,
      clis,
      log,
    })
    process.stdout.write(`${JSON.stringify(cycle, null, 2)}\n`)
    return 0
  } finally {
    await releaseBed()
  }
}
