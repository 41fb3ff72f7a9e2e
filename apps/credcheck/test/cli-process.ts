// The real credcheck CLI in a process of its own: src/main.ts bundled with esbuild (as bin.js runs
// dist/main.js) into a folder beside package.json (the CLI reads ../package.json for --version),
// run with `node`, its environment and argv as a user gives them.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunResult, runProcess } from '@watchtower-ts/test-utils'
import { build } from 'esbuild'

export type CliRun = RunResult

export interface CliProcess {
  run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliRun>
  close(): Promise<void>
}

const appDir = fileURLToPath(new URL('../', import.meta.url))

export async function credcheckProcess(): Promise<CliProcess> {
  const dir = await mkdtemp(join(appDir, '.cli-test-'))
  const out = join(dir, 'credcheck.mjs')
  await build({
    stdin: {
      contents:
        "import { main } from '../src/main.ts'\nprocess.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, now: Date.now })\n",
      resolveDir: join(appDir, 'src'),
      loader: 'ts',
      sourcefile: 'credcheck-cli.ts',
    },
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@watchtower-ts/source'],
    external: ['*.node'],
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
    logLevel: 'error',
  })
  return {
    run: (args, env, timeoutMs = 60_000) => runProcess(process.execPath, [out, ...args], { env, timeoutMs }),
    close: () => rm(dir, { recursive: true, force: true }),
  }
}
