/** Small process, file and network helpers shared by the bed's parts. */
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** Every failure of the bed: `code` is stable, `cause` kept. */
export class TestbedError extends Error {
  override name = 'TestbedError'
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
  cwd?: string
  timeoutMs?: number
}

/** Runs a command to completion; never throws for a non-zero exit (see `runOk`). */
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
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', (e) =>
      reject(new TestbedError('WT_TESTBED_SPAWN', `cannot run ${cmd}: ${e.message}`, { cause: e })),
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

/** Runs a command and returns stdout; throws a `TestbedError` naming the command on failure. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, options)
  if (r.code !== 0) {
    throw new TestbedError(
      'WT_TESTBED_COMMAND',
      `${cmd} ${args.join(' ')} exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(-2000)}`,
    )
  }
  return r.stdout
}

/** Starts a long-running process in its own session, output appended to `logFile`; returns its pid. */
export function spawnDetached(
  cmd: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): number {
  const fd = openSync(options.logFile, 'a')
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    })
    child.on('error', () => {})
    child.unref()
    if (child.pid === undefined) throw new TestbedError('WT_TESTBED_SPAWN', `cannot start ${cmd}`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** What the bed's own processes look like in /proc/PID/cmdline (a pid from an old state file may be reused). */
export const PROC = {
  dockerd: /(^|\/)dockerd( |$)/,
  registry: /docker-registry serve/,
  tokenServer: /token-server\.mjs/,
  run: /node|vitest/,
} as const

/** True when `pid` runs (not a zombie) and, if `pattern` is given, its command line matches it. */
export function pidAlive(pid: number | undefined, pattern?: RegExp): boolean {
  if (!pid || pid <= 0) return false
  if (pattern) {
    let cmdline = ''
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    } catch {
      return false
    }
    if (!pattern.test(cmdline)) return false
  }
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

function isZombie(pid: number): boolean {
  try {
    // Field 3 of /proc/PID/stat is the state; Z = zombie (dead, not yet reaped).
    const statText = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = statText.slice(statText.lastIndexOf(')') + 2).split(' ')[0]
    return state === 'Z' || state === 'X'
  } catch {
    return false
  }
}

/**
 * Sends SIGTERM, waits up to `graceMs`, then SIGKILL. Resolves when the process is gone. Never
 * signals a process whose command line does not match `pattern` (a reused pid).
 */
export async function stopPid(pid: number | undefined, pattern: RegExp, graceMs = 15_000): Promise<void> {
  if (!pid || !pidAlive(pid, pattern)) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const until = Date.now() + graceMs
  while (pidAlive(pid) && Date.now() < until) await sleep(50)
  if (pidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
    const hard = Date.now() + 5_000
    while (pidAlive(pid) && Date.now() < hard) await sleep(50)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it is true; on timeout throws with the tail of `logFile`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs?: number; logFile?: string; alive?: () => boolean } = {},
): Promise<void> {
  const until = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if (await check().catch(() => false)) return
    if (options.alive && !options.alive()) {
      throw new TestbedError(
        'WT_TESTBED_START',
        `${what} exited while starting${await logTail(options.logFile)}`,
      )
    }
    if (Date.now() > until) {
      throw new TestbedError(
        'WT_TESTBED_START',
        `${what} did not come up in time${await logTail(options.logFile)}`,
      )
    }
    await sleep(100)
  }
}

async function logTail(file: string | undefined): Promise<string> {
  if (!file) return ''
  const text = await readFile(file, 'utf8').catch(() => '')
  return `; last lines of ${file}:\n${text.split('\n').slice(-15).join('\n')}`
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

/** `preferred` if it is still free, else a new free port. */
export async function pickPort(preferred: number | undefined): Promise<number> {
  if (preferred && (await portFree(preferred))) return preferred
  return freePort()
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/**
 * A lock shared by every process on the machine: `mkdir` is atomic; the owner's pid is written
 * inside so a lock left by a dead process is taken over.
 */
export async function withLock<T>(
  dir: string,
  name: string,
  fn: () => Promise<T>,
  timeoutMs = 900_000,
): Promise<T> {
  const lock = join(dir, `${name}.lock`)
  const owner = join(lock, 'owner')
  const until = Date.now() + timeoutMs
  await mkdir(dir, { recursive: true })
  for (;;) {
    try {
      await mkdir(lock)
      await writeFile(owner, String(process.pid))
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const pid = Number((await readFile(owner, 'utf8').catch(() => '')).trim())
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if ((pid && !pidAlive(pid)) || (!pid && age > 10_000)) {
        await rm(lock, { recursive: true, force: true })
        continue
      }
      if (Date.now() > until) {
        throw new TestbedError('WT_TESTBED_LOCK', `lock ${lock} held by pid ${pid || '?'} for too long`)
      }
      await sleep(150)
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

/**
 * Pids of live processes whose command line mentions `needle` (e.g. the state folder) and matches
 * `pattern`: the bed's own processes, found even when the state file that listed them is gone.
 */
export async function findProcesses(needle: string, pattern: RegExp): Promise<number[]> {
  const out: number[] = []
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
      (t) => t.replaceAll('\0', ' '),
      () => '',
    )
    if (cmdline.includes(needle) && pattern.test(cmdline)) out.push(pid)
  }
  return out
}

/** Unmounts what a stopped dockerd left mounted under `root` (its data-root bind, netns files). */
export async function unmountUnder(root: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => m !== undefined && (m === root || m.startsWith(`${root}/`)))
    .sort()
    .reverse()
  for (const m of mounts) {
    if ((await run('umount', [m])).code !== 0) await run('umount', ['-l', m])
  }
}
