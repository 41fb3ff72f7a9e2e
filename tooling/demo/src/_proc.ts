/** Runs a command, streaming each output line to `onLine` as it comes. */
import { spawn } from 'node:child_process'

export interface ProcResult {
  code: number
  output: string
}

export function stream(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let partial = ''
    const onData = (d: Buffer) => {
      const text = partial + d.toString('utf8')
      output += d.toString('utf8')
      const lines = text.split('\n')
      partial = lines.pop() ?? ''
      for (const l of lines) options.onLine?.(l)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`, { cause: e })))
    child.on('close', (code, signal) => {
      if (partial) options.onLine?.(partial)
      resolve({ code: code ?? (signal ? 128 : 1), output })
    })
  })
}
