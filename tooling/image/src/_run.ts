/** Runs commands to completion (docker, tar, ldd) with an explicit environment. */
import { spawn } from 'node:child_process'
import { ImageError } from './errors.ts'

export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  input?: string
  /** @default 600000 */
  timeoutMs?: number
  /** Called with each chunk of stdout + stderr as it arrives (progress for long builds). */
  onOutput?: (chunk: string) => void
}

/** Never throws for a non-zero exit (see `runOk`); throws `WT_IMAGE_SPAWN` when the command is missing. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => {
      out.push(d)
      options.onOutput?.(d.toString('utf8'))
    })
    child.stderr.on('data', (d: Buffer) => {
      err.push(d)
      options.onOutput?.(d.toString('utf8'))
    })
    child.on('error', (e) =>
      reject(new ImageError('WT_IMAGE_SPAWN', `cannot run ${cmd}: ${e.message}`, { cause: e })),
    )
    child.on('close', (code, signal) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal ? 128 : 1),
      }),
    )
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** Runs a command and returns stdout; throws `WT_IMAGE_COMMAND` naming the command and its output. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, options)
  if (r.code !== 0) {
    throw new ImageError(
      'WT_IMAGE_COMMAND',
      `${cmd} ${args.join(' ')} exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(-2000)}`,
    )
  }
  return r.stdout
}
