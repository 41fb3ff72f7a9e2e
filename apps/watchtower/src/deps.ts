import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { FixedHostService } from './notify/services.ts'
import type { OutputStream } from './output.ts'
import type { SessionRunnerFactory } from './session/types.ts'

export type { OutputStream } from './output.ts'

/** Everything a command touches outside itself, so tests need no process spies. */
export interface CliDeps {
  stdout: OutputStream
  stderr: OutputStream
  env: NodeJS.ProcessEnv
  now: () => number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  hostname: string
  pid: number
  version: string
  /** Contents of `path` when it is an existing regular file. */
  readSecretFile?: (path: string) => string | undefined
  /** Registers a SIGTERM/SIGINT handler; returns the unregister function. */
  onShutdown: (handler: (signal: string) => void) => () => void
  /** Builds the session runner (the real one composes the packages). */
  createRunner?: SessionRunnerFactory
  /** Called with the HTTP API's port once it listens (tests use port 0). */
  onListening?: (port: number) => void
  /**
   * Called after every session, before the process idles until the next one. bin.js runs a full
   * garbage collection there, so an idle daemon hands the memory of a busy cycle back.
   */
  idle?: () => void
  /** Tests only: loopback base URLs replacing vendors' fixed notification hosts. */
  notificationEndpoints?: Partial<Record<FixedHostService, string>>
  /** Running inside a container (`/.dockerenv`): the daemon then keeps the default heartbeat file. */
  inContainer?: boolean
}

/** Set by the bundle (bundle.mjs), whose chunks sit where `../package.json` is not the app's. */
declare const WATCHTOWER_VERSION: string | undefined

export function readVersion(): string {
  if (typeof WATCHTOWER_VERSION === 'string') return WATCHTOWER_VERSION
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string
    }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function processDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: Date.now,
    sleep,
    hostname: hostname(),
    pid: process.pid,
    version: readVersion(),
    inContainer: existsSync('/.dockerenv'),
    onShutdown(handler) {
      let count = 0
      const on = (sig: NodeJS.Signals) => {
        // the first signal stops gracefully; a second one means "now"
        if (++count > 1) {
          process.stderr.write(`watchtower: second ${sig}, exiting at once\n`)
          process.exit(130)
        }
        handler(sig)
      }
      process.on('SIGTERM', on)
      process.on('SIGINT', on)
      return () => {
        process.off('SIGTERM', on)
        process.off('SIGINT', on)
      }
    },
  }
}
