import { execFile } from 'node:child_process'

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
 * Default {@link RunHelper}: `execFile` (no shell), the program looked up on the given env's PATH,
 * input on stdin, killed with SIGKILL after `timeoutMs`, output capped at 1 MiB.
 */
export const execFileHelper: RunHelper = (program, args, options) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      program,
      [...args],
      {
        env: options.env as NodeJS.ProcessEnv,
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (
          error &&
          typeof (error as { code?: unknown }).code === 'string' &&
          !('killed' in error && error.killed)
        ) {
          // spawn failure (ENOENT, EACCES) or maxBuffer exceeded: no exit status to report
          const code = (error as { code: string }).code
          if (code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            reject(Object.assign(new Error(`cannot run ${program}: ${code}`), { code }))
            return
          }
        }
        const killed = error !== null && 'killed' in error && error.killed === true
        const exit = child.exitCode
        resolve({ code: exit, stdout: String(stdout), stderr: String(stderr), timedOut: killed })
      },
    )
    child.stdin?.on('error', () => {
      // a helper that exits without reading stdin closes the pipe: not our failure
    })
    child.stdin?.end(options.input)
  })
