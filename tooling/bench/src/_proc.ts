/** Processes, clocks and small statistics for the benchmarks. */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'

export interface Ran {
  code: number | null
  stdout: string
  stderr: string
  /** Wall time from spawn to exit, ms. */
  ms: number
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** @default 600000 */
  timeoutMs?: number
  /** Throw when the command exits non-zero. @default false */
  reject?: boolean
}

/** Runs a command to completion and times it (spawn → exit). */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`${cmd} could not be started: ${err.message}`, { cause: err }))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const ms = performance.now() - started
      if (options.reject && code !== 0) {
        const why = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n')
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${why}`))
        return
      }
      resolve({ code, stdout, stderr, ms })
    })
  })
}

/** Times an async function, ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - started }
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Resident memory of a live process, in MiB (VmRSS of /proc/<pid>/status). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status (process gone?)`)
  return Number(kb) / 1024
}

/** VmRSS split (MiB): anonymous memory (heaps, buffers) and mapped files (mostly the node binary's own pages). */
export async function rssPartsMiB(pid: number): Promise<{ anonMiB: number; fileMiB: number } | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const anon = /^RssAnon:\s+(\d+)\s+kB/m.exec(status)?.[1]
  const file = /^RssFile:\s+(\d+)\s+kB/m.exec(status)?.[1]
  return anon === undefined || file === undefined
    ? undefined
    : { anonMiB: Number(anon) / 1024, fileMiB: Number(file) / 1024 }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Peak resident memory so far of a live process, in MiB (VmHWM), or undefined when not readable. */
export async function hwmMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]
  return kb === undefined ? undefined : Number(kb) / 1024
}
