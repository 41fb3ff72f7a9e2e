/**
 * A real npm registry (verdaccio) on loopback, started on demand (once per run, shared by every
 * worker, stopped with the bed) for the release tests: `pnpm release` publishes to it and empty
 * projects install from it. It holds only `@watchtower-ts/*` and has no uplink: a consumer maps the
 * scope to it in `.npmrc` and takes every other package from its usual registry, as users of a
 * private registry do. Its storage is new at every start, so each run publishes afresh.
 *
 * verdaccio 6.8.0 with `node-fetch` pinned to 2.7.0 installs and runs on Node 20 and 24 (6.10 wants
 * Node 22); it is installed with npm into the state folder once and reused.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exists, pickPort, pidAlive, runOk, spawnDetached, stopPid, waitFor, withLock } from './_util.ts'
import type { Testbed } from './types.ts'

const VERDACCIO = '6.8.0'
const PROC_VERDACCIO = /verdaccio/

export interface NpmRegistry {
  /** `http://127.0.0.1:PORT/` */
  url: string
  user: string
  password: string
  /** `.npmrc` lines that map `@watchtower-ts` to this registry, with its credentials. */
  npmrc: string
  /** verdaccio's own log (JSON lines, one per request at `http` level). */
  logFile: string
}

type NpmRegistryState = NpmRegistry & { pid: number }

const root = (dir: string) => join(dir, 'npm-registry')
const stateFile = (dir: string) => join(root(dir), 'state.json')

async function readNpmState(dir: string): Promise<NpmRegistryState | undefined> {
  const text = await readFile(stateFile(dir), 'utf8').catch(() => '')
  return text ? (JSON.parse(text) as NpmRegistryState) : undefined
}

async function answers(url: string): Promise<boolean> {
  const res = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) }).catch(
    () => undefined,
  )
  return res?.status === 200
}

async function installVerdaccio(app: string): Promise<string> {
  const bin = join(app, 'node_modules/verdaccio/bin/verdaccio')
  const manifest = join(app, 'node_modules/verdaccio/package.json')
  const installed = await readFile(manifest, 'utf8').then(
    (t) => JSON.parse(t).version as string,
    () => '',
  )
  if (installed === VERDACCIO) return bin
  await mkdir(app, { recursive: true })
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'wt-testbed-verdaccio',
      private: true,
      dependencies: { verdaccio: VERDACCIO },
      overrides: { 'node-fetch': '2.7.0' },
    }),
  )
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--no-package-lock'], {
    cwd: app,
    timeoutMs: 300_000,
  })
  return bin
}

/** Starts (once per run, shared by every worker) a verdaccio registry and returns how to reach it. */
export async function ensureNpmRegistry(bed: Pick<Testbed, 'dir'>): Promise<NpmRegistry> {
  const dir = bed.dir
  return withLock(dir, 'npm-registry', async () => {
    const prev = await readNpmState(dir)
    if (prev && pidAlive(prev.pid, PROC_VERDACCIO) && (await answers(prev.url))) {
      const { pid: _pid, ...pub } = prev
      return pub
    }
    await stopNpmRegistry(dir)
    const base = root(dir)
    const bin = await installVerdaccio(join(base, 'app'))
    const storage = join(base, 'storage')
    await rm(storage, { recursive: true, force: true })
    await mkdir(storage, { recursive: true })
    const user = 'wt-release'
    const password = randomBytes(12).toString('base64url')
    const htpasswd = join(base, 'htpasswd')
    await writeFile(htpasswd, await runOk('htpasswd', ['-Bbn', user, password]), { mode: 0o600 })
    const port = await pickPort(undefined)
    const config = join(base, 'config.yaml')
    // YAML is a superset of JSON
    await writeFile(
      config,
      JSON.stringify({
        storage,
        auth: { htpasswd: { file: htpasswd, max_users: -1 } },
        uplinks: {},
        packages: {
          '@watchtower-ts/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
          '**': { access: '$all' },
        },
        log: { type: 'stdout', format: 'json', level: 'http' },
        listen: `127.0.0.1:${port}`,
      }),
    )
    const logFile = join(base, 'verdaccio.log')
    await rm(logFile, { force: true })
    const pid = spawnDetached(process.execPath, [bin, '--config', config], { logFile })
    const url = `http://127.0.0.1:${port}/`
    await waitFor('verdaccio', () => answers(url), { timeoutMs: 60_000, logFile, alive: () => pidAlive(pid) })
    const auth = Buffer.from(`${user}:${password}`).toString('base64')
    const hostPath = url.slice('http:'.length)
    const npmrc = `@watchtower-ts:registry=${url}\n${hostPath}:_auth=${auth}\n${hostPath}:always-auth=true\n`
    const state: NpmRegistryState = { url, user, password, npmrc, logFile, pid }
    await writeFile(stateFile(dir), JSON.stringify(state), { mode: 0o600 })
    return { url, user, password, npmrc, logFile }
  })
}

/** Stops the registry (if running) and forgets it; the installed verdaccio stays for next time. */
export async function stopNpmRegistry(dir: string): Promise<void> {
  const prev = await readNpmState(dir)
  if (prev) await stopPid(prev.pid, PROC_VERDACCIO)
  if (await exists(stateFile(dir))) await rm(stateFile(dir), { force: true })
}
