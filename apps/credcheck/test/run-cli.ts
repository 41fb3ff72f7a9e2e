import type { CommandDeps } from '../src/commands/check.ts'
import { main } from '../src/index.ts'

export interface RunOutput {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process with captured output (no process spies). */
export async function runCli(
  args: string[],
  deps: Partial<CommandDeps> & { env: NodeJS.ProcessEnv },
): Promise<RunOutput> {
  let stdout = ''
  let stderr = ''
  const code = await main(['node', 'credcheck', ...args], {
    now: Date.now,
    ...deps,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}
