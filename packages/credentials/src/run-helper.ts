import { spawn } from 'node:child_process'

/** Exactly what helpers print when they hold nothing for the server (compared after trimming). */
export const NOT_FOUND_TEXT = 'credentials not found in native keychain'

/** What a helper run produced. A program that could not be started rejects instead (err.code ENOENT, EACCES). */
export interface HelperRunResult {
  /** Exit code; null when killed (timeout). */
  code: number | null
  stdout: string
  stderr: string
  /** True when the run was stopped because it took longer than `timeoutMs`. */
  timedOut: boolean
}

export interface RunHelperOptions {
  /** Written to stdin, then stdin is closed. */
  input: string
  /** Full environment of the child (PATH is searched in it). */
  env: Readonly<Record<string, string | undefined>>
  timeoutMs: number
}

/** Runs a credential helper program. Injected into the resolver so tests can replace it. */
export type RunHelper = (
  program: string,
  args: readonly string[],
  options: RunHelperOptions,
) => Promise<HelperRunResult>

/**
 * Default {@link RunHelper}: `spawn` (no shell), the program looked up on the given env's PATH,
 * input on stdin. After `timeoutMs` the helper's whole process group is killed (SIGKILL) and the
 * run ends at once, even if a grandchild still holds the pipes. Output is capped at 1 MiB.
 */
export const spawnHelper: RunHelper = (program, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(program, [...args], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the helper's children too
      windowsHide: true,
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (result: HelperRunResult | Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (result instanceof Error) reject(result)
      else resolve(result)
    }
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_OUTPUT) into.push(chunk)
      else killGroup()
    }
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
    const timer = setTimeout(() => {
      killGroup()
      child.stdout.destroy()
      child.stderr.destroy()
      finish({ code: null, stdout: text(out), stderr: text(err), timedOut: true })
    }, options.timeoutMs)
    child.stdout.on('data', collect(out))
    child.stderr.on('data', collect(err))
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        Object.assign(new Error(`cannot run ${program}: ${error.code ?? error.message}`), {
          code: error.code,
        }),
      )
    })
    child.on('close', (code) => finish({ code, stdout: text(out), stderr: text(err), timedOut: false }))
    child.stdin.on('error', () => {
      // a helper that exits without reading stdin closes the pipe: not our failure
    })
    child.stdin.end(options.input)
  })

const MAX_OUTPUT = 1024 * 1024

function text(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8')
}
