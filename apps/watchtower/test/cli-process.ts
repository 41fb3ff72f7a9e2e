// The real watchtower CLI in a process of its own: bundled by the app's own bundle.mjs (what
// `pnpm build` ships as dist/bin) into a temp folder, run with `node`, its environment and argv
// as a user gives them.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type RunResult, runProcess } from '@watchtower-ts/test-utils'

export type CliRun = RunResult

export interface CliProcess {
  run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliRun>
  close(): Promise<void>
}

const appDir = fileURLToPath(new URL('../', import.meta.url))

export async function watchtowerProcess(): Promise<CliProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'wt-cli-'))
  await promisify(execFile)(process.execPath, [join(appDir, 'bundle.mjs'), '--outdir', dir], { cwd: appDir })
  const launcher = join(dir, 'run.mjs')
  await writeFile(
    launcher,
    "const { main } = await import('./watchtower.js')\nprocess.exitCode = await main(process.argv.slice(2))\n",
  )
  return {
    // A daemon on a machine with /.dockerenv keeps its heartbeat in /tmp/watchtower-ts by default:
    // here it goes to this process's own temp folder, removed by close().
    run: (args, env, timeoutMs = 120_000) =>
      runProcess(process.execPath, [launcher, ...args], {
        env: { WATCHTOWER_HEARTBEAT_FILE: join(dir, 'heartbeat.json'), ...env },
        timeoutMs,
      }),
    close: () => rm(dir, { recursive: true, force: true }),
  }
}
