/**
 * A second dockerd inside its own network namespace: its default bridge and container addresses
 * stay in there. An open registry runs in the namespace too, on the same port as the bed's open
 * registry and serving the same storage, so `127.0.0.1:PORT/repo:tag` means the same in both engines.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { apiVersion, ping } from './_engine.ts'
import { type IsolatedState, readIsolated, stateDir, writeIsolated } from './_state.ts'
import {
  PROC,
  pidAlive,
  run,
  runOk,
  spawnDetached,
  stopPid,
  TestbedError,
  unmountUnder,
  waitFor,
  withLock,
} from './_util.ts'
import type { IsolatedEngine, Testbed } from './types.ts'

/** One namespace per state folder: `wt-testbed` for the default folder, `wt-testbed-<hash>` otherwise. */
export function netnsName(dir: string): string {
  if (dir === stateDir({})) return 'wt-testbed'
  return `wt-testbed-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`
}

const nsPath = (ns: string) => `/var/run/netns/${ns}`

async function nsUsable(ns: string): Promise<boolean> {
  return (await run('nsenter', [`--net=${nsPath(ns)}`, 'true'])).code === 0
}

/** Makes the namespace, or remakes it when a leftover file is no longer a usable namespace. */
async function ensureNetns(ns: string): Promise<void> {
  if (await nsUsable(ns)) return
  await run('ip', ['netns', 'del', ns])
  await rm(nsPath(ns), { force: true })
  await runOk('ip', ['netns', 'add', ns])
  await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
}

function registryAnswersInNs(ns: string, port: number): Promise<boolean> {
  return run('nsenter', [
    `--net=${nsPath(ns)}`,
    process.execPath,
    '-e',
    `require('http').get('http://127.0.0.1:${port}/v2/',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`,
  ]).then((r) => r.code === 0)
}

async function loadImages(from: string, to: string, refs: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const save = spawn('docker', ['save', ...refs], { env: { ...process.env, DOCKER_HOST: from } })
    const load = spawn('docker', ['load', '-q'], { env: { ...process.env, DOCKER_HOST: to } })
    let err = ''
    save.stderr.on('data', (d) => {
      err += d
    })
    load.stderr.on('data', (d) => {
      err += d
    })
    save.stdout.pipe(load.stdin)
    load.on('error', reject)
    load.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new TestbedError('WT_TESTBED_ISOLATED', `docker save | load failed: ${err}`)),
    )
  })
}

async function isolatedHealthy(iso: IsolatedState | undefined, openPort: number): Promise<boolean> {
  if (!iso || !pidAlive(iso.pid, PROC.dockerd) || !pidAlive(iso.registryPid, PROC.registry)) return false
  if (!(await ping({ host: iso.host, socketPath: iso.socketPath }))) return false
  return registryAnswersInNs(iso.netns, openPort)
}

/** Starts (once, shared by every worker) the isolated engine and loads the bed's images into it. */
export async function ensureIsolated(bed: Testbed): Promise<IsolatedEngine> {
  const dir = bed.dir
  const openPort = Number(bed.registries.open.host.split(':')[1])
  return withLock(dir, 'isolated', async () => {
    const prev = await readIsolated(dir)
    if (prev && (await isolatedHealthy(prev, openPort))) return publicPart(prev)
    await stopIsolated(dir)
    const ns = netnsName(dir)
    const netnsPath = nsPath(ns)
    await ensureNetns(ns)
    const root = join(dir, 'isolated')
    const socketPath = join(root, 'docker.sock')
    const pidFile = join(root, 'dockerd.pid')
    for (const d of ['data', 'exec']) await mkdir(join(root, d), { recursive: true })
    await rm(pidFile, { force: true })
    await rm(socketPath, { force: true })
    const logFile = join(root, 'dockerd.log')
    const pid = spawnDetached(
      'nsenter',
      [
        `--net=${netnsPath}`,
        'dockerd',
        '--host',
        `unix://${socketPath}`,
        '--data-root',
        join(root, 'data'),
        '--exec-root',
        join(root, 'exec'),
        '--pidfile',
        pidFile,
      ],
      { logFile },
    )
    const ep = { host: `unix://${socketPath}`, socketPath }
    await waitFor('isolated dockerd', () => ping(ep), {
      timeoutMs: 60_000,
      logFile,
      alive: () => pidAlive(pid),
    })

    // An open registry inside the namespace, same port and storage as the bed's open registry.
    const regConfig = join(root, 'registry.yml')
    await writeFile(
      regConfig,
      JSON.stringify({
        version: '0.1',
        log: { level: 'warn', accesslog: { disabled: false } },
        storage: {
          filesystem: { rootdirectory: join(dir, 'registry-data', 'open') },
          delete: { enabled: true },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http: { addr: `127.0.0.1:${openPort}` },
      }),
    )
    const regLog = join(root, 'registry.log')
    const registryPid = spawnDetached(
      'nsenter',
      [`--net=${netnsPath}`, 'docker-registry', 'serve', regConfig],
      {
        logFile: regLog,
      },
    )
    await waitFor('registry in the isolated namespace', () => registryAnswersInNs(ns, openPort), {
      timeoutMs: 30_000,
      logFile: regLog,
      alive: () => pidAlive(registryPid),
    })

    const missing = []
    for (const ref of Object.values(bed.images)) {
      const r = await run('docker', ['image', 'inspect', ref], {
        env: { ...process.env, DOCKER_HOST: ep.host },
      })
      if (r.code !== 0) missing.push(ref)
    }
    if (missing.length > 0) await loadImages(bed.docker.host, ep.host, missing)
    const iso: IsolatedState = {
      ...ep,
      netns: ns,
      netnsPath,
      dataRoot: join(root, 'data'),
      apiVersion: await apiVersion(ep),
      registryHost: bed.registries.open.host,
      pid,
      registryPid,
    }
    await writeIsolated(dir, iso)
    return publicPart(iso)
  })
}

function publicPart(iso: IsolatedState): IsolatedEngine {
  const { pid: _p, registryPid: _r, ...rest } = iso
  return rest
}

/** Stops the isolated engine and its registry (if running) and removes the namespace. */
export async function stopIsolated(dir: string): Promise<void> {
  const iso = await readIsolated(dir)
  if (!iso) return
  await Promise.all([stopPid(iso.registryPid, PROC.registry), stopPid(iso.pid, PROC.dockerd, 60_000)])
  await unmountUnder(join(dir, 'isolated'))
  await run('ip', ['netns', 'del', iso.netns])
  await writeIsolated(dir, undefined)
}
