// The real watchtower CLI in a process of its own: bundled by the app's own bundle.mjs (what
// `pnpm build` ships as dist/bin) into a temp folder, run with `node`, its environment and argv
// as a user gives them.
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliRun>
  close(): Promise<void>
}

const appDir = fileURLToPath(new URL('../../', import.meta.url))

export async function watchtowerProcess(): Promise<CliProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'wt-cli-'))
  await promisify(execFile)(process.execPath, [join(appDir, 'bundle.mjs'), '--outdir', dir], { cwd: appDir })
  const launcher = join(dir, 'run.mjs')
  await writeFile(
    launcher,
    "const { main } = await import('./watchtower.js')\nprocess.exitCode = await main(process.argv.slice(2))\n",
  )
  return {
    run: (args, env, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [launcher, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => {
          stdout += d
        })
        child.stderr.on('data', (d: Buffer) => {
          stderr += d
        })
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
        child.on('error', reject)
        child.on('close', (code) => {
          clearTimeout(timer)
          resolve({ code, stdout, stderr })
        })
      }),
    close: () => rm(dir, { recursive: true, force: true }),
  }
}
