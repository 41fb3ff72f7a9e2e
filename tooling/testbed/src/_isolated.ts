/**
 * Extra dockerds, each inside its own network namespace: their bridges and container addresses
 * stay in there. Two kinds share this code: `20` (the machine's Debian docker.io 20.10, API 1.41)
 * and `26` (Debian trixie's docker.io 26.1.5 and containerd 1.7, API 1.45, unpacked under the bed
 * folder by `_engine26.ts` and run with bookworm's runc). In each namespace an open registry runs
 * too, on the same port as the bed's open registry and serving the same storage, so
 * `127.0.0.1:PORT/repo:tag` means the same in every engine. It listens on every address of the
 * namespace (nothing else is in there), so containers reach it at the default bridge's gateway,
 * `BRIDGE_GATEWAY:PORT` (`registryBridgeHost`), which the engine treats as an insecure registry.
 * Each engine also listens with dockerd's own `--tlsverify` on `127.0.0.1:2376` inside its namespace
 * (the bed's CA, server certificate and key); two plain byte forwarders (`byte-forward.mjs`, no TLS
 * termination) bring that port to the host's loopback: one in the namespace from a unix socket file
 * under the bed folder to the port, one on the host from `127.0.0.1:PORT` to that file (`tlsHost`).
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiVersion, ping } from './_engine.ts'
import { ensureEngine26Files } from './_engine26.ts'
import { type IsolatedKind, type IsolatedState, readIsolated, stateDir, writeIsolated } from './_state.ts'
import {
  PROC,
  pickPort,
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
import type { IsolatedEngine, Testbed, TlsMaterial } from './types.ts'

/**
 * One namespace per state folder and kind: `wt-testbed` for the default folder, `wt-testbed-<hash>`
 * otherwise; `-26` appended for the engine 26 one.
 */
export function netnsName(dir: string, kind: IsolatedKind = '20'): string {
  const base =
    dir === stateDir({})
      ? 'wt-testbed'
      : `wt-testbed-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`
  return kind === '20' ? base : `${base}-${kind}`
}

/** Folder of one kind's engine under the bed folder. */
export const isolatedRoot = (dir: string, kind: IsolatedKind): string =>
  join(dir, kind === '20' ? 'isolated' : `isolated-${kind}`)

/** The default bridge of every isolated engine (`--bip`); its gateway is an address of the namespace. */
const BRIDGE_CIDR = '10.213.0.1/24'
export const BRIDGE_GATEWAY = '10.213.0.1'
/** Bumped when the way an isolated engine is started changes: an older one still running is restarted. */
const LAYOUT = 3
/** dockerd's `--tlsverify` listener inside the namespace (its own loopback: no clash with the host's). */
const TLS_PORT_IN_NS = 2376
const PROC_FORWARD = /byte-forward\.mjs/
const forwardScript = () => fileURLToPath(new URL('./byte-forward.mjs', import.meta.url))

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

/** GET /_ping through the forwarders to dockerd's TLS listener, with the bed's client certificate. */
async function tlsAnswers(tlsHost: string, tls: TlsMaterial): Promise<boolean> {
  const u = new URL(tlsHost.replace(/^tcp:/, 'https:'))
  const [ca, cert, key] = await Promise.all(
    [tls.caCert, tls.clientCert, tls.clientKey].map((p) => readFile(p, 'utf8')),
  )
  return new Promise((resolve) => {
    const req = request(
      { host: u.hostname, port: Number(u.port), path: '/_ping', ca, cert, key, timeout: 3_000, agent: false },
      (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      },
    )
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

async function isolatedHealthy(
  iso: IsolatedState | undefined,
  openPort: number,
  tls: TlsMaterial,
): Promise<boolean> {
  if (!iso || iso.layout !== LAYOUT) return false
  if (!pidAlive(iso.pid, PROC.dockerd) || !pidAlive(iso.registryPid, PROC.registry)) return false
  if (!iso.forwardPids.every((p) => pidAlive(p, PROC_FORWARD))) return false
  if (!(await ping({ host: iso.host, socketPath: iso.socketPath }))) return false
  if (!(await tlsAnswers(iso.tlsHost, tls))) return false
  return registryAnswersInNs(iso.netns, openPort)
}

/** Starts (once, shared by every worker) the isolated engine 20.10 and loads the bed's images into it. */
export function ensureIsolated(bed: Testbed): Promise<IsolatedEngine> {
  return ensureIsolatedKind(bed, '20')
}

/** Starts (once, shared by every worker) the isolated engine 26.1 (API 1.45) and loads the bed's images into it. */
export function ensureModern(bed: Testbed): Promise<IsolatedEngine> {
  return ensureIsolatedKind(bed, '26')
}

async function ensureIsolatedKind(bed: Testbed, kind: IsolatedKind): Promise<IsolatedEngine> {
  const dir = bed.dir
  const openPort = Number(bed.registries.open.host.split(':')[1])
  return withLock(dir, kind === '20' ? 'isolated' : `isolated-${kind}`, async () => {
    const prev = await readIsolated(dir, kind)
    if (prev && (await isolatedHealthy(prev, openPort, bed.tls))) return publicPart(prev)
    await stopIsolated(dir, kind)
    const ns = netnsName(dir, kind)
    const netnsPath = nsPath(ns)
    await ensureNetns(ns)
    const root = isolatedRoot(dir, kind)
    // Engine 26 comes from Debian trixie's packages, unpacked under the bed folder (cached there).
    const files = kind === '26' ? await ensureEngine26Files(dir) : undefined
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
        files ? files.dockerd : 'dockerd',
        '--host',
        `unix://${socketPath}`,
        '--host',
        `tcp://127.0.0.1:${TLS_PORT_IN_NS}`,
        '--tlsverify',
        `--tlscacert=${bed.tls.caCert}`,
        `--tlscert=${bed.tls.serverCert}`,
        `--tlskey=${bed.tls.serverKey}`,
        '--data-root',
        join(root, 'data'),
        '--exec-root',
        join(root, 'exec'),
        '--pidfile',
        pidFile,
        `--bip=${BRIDGE_CIDR}`,
        `--insecure-registry=${BRIDGE_GATEWAY}:${openPort}`,
        ...(files ? files.args : []),
      ],
      { logFile, ...(files ? { env: { ...process.env, PATH: files.path } } : {}) },
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
        http: { addr: `0.0.0.0:${openPort}` },
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

    // dockerd's TLS port, brought to the host's loopback by two byte forwarders (no TLS termination)
    const tlsSocket = join(root, 'tls.sock')
    const forwardLog = join(root, 'forward.log')
    const inner = spawnDetached(
      'nsenter',
      [`--net=${netnsPath}`, process.execPath, forwardScript(), tlsSocket, `127.0.0.1:${TLS_PORT_IN_NS}`],
      { logFile: forwardLog },
    )
    const tlsPort = await pickPort(undefined)
    const outer = spawnDetached(process.execPath, [forwardScript(), `127.0.0.1:${tlsPort}`, tlsSocket], {
      logFile: forwardLog,
    })
    const tlsHost = `tcp://127.0.0.1:${tlsPort}`
    await waitFor("dockerd's TLS listener through the forwarders", () => tlsAnswers(tlsHost, bed.tls), {
      timeoutMs: 30_000,
      logFile: forwardLog,
      alive: () => pidAlive(inner) && pidAlive(outer),
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
      kind,
      layout: LAYOUT,
      netns: ns,
      netnsPath,
      dataRoot: join(root, 'data'),
      apiVersion: await apiVersion(ep),
      registryHost: bed.registries.open.host,
      registryBridgeHost: `${BRIDGE_GATEWAY}:${openPort}`,
      tlsHost,
      pid,
      registryPid,
      forwardPids: [inner, outer],
    }
    await writeIsolated(dir, iso, kind)
    return publicPart(iso)
  })
}

function publicPart(iso: IsolatedState): IsolatedEngine {
  const { pid: _p, registryPid: _r, layout: _l, forwardPids: _f, ...rest } = iso
  return rest
}

/** Stops an isolated engine (every kind when none is given) and its registry, and removes its namespace. */
export async function stopIsolated(dir: string, kind?: IsolatedKind): Promise<void> {
  for (const k of kind ? [kind] : (['20', '26'] as const)) {
    const iso = await readIsolated(dir, k)
    const root = isolatedRoot(dir, k)
    if (iso) {
      await Promise.all([
        stopPid(iso.registryPid, PROC.registry),
        stopPid(iso.pid, PROC.dockerd, 60_000),
        ...(iso.forwardPids ?? []).map((p) => stopPid(p, PROC_FORWARD)),
      ])
    }
    // Also without a state file (a start that failed half-way): whatever this engine left behind.
    await killLeftovers(root)
    await rm(join(root, 'tls.sock'), { force: true })
    await unmountUnder(root)
    await run('ip', ['netns', 'del', iso?.netns ?? netnsName(dir, k)])
    if (iso) await writeIsolated(dir, undefined, k)
  }
}

/**
 * Processes of this engine that outlived its dockerd: a killed dockerd leaves its containerd shims
 * (and their containers) running, and a later dockerd on the same folder cannot start its
 * containerd beside them. Each shim's children (the containers' first processes) go first.
 */
async function killLeftovers(root: string): Promise<void> {
  const found = await run('pgrep', ['-f', `${root}/exec/`])
  const pids = found.stdout
    .split('\n')
    .map(Number)
    .filter((p) => p > 0 && p !== process.pid)
  for (const pid of pids) {
    await run('pkill', ['-KILL', '-P', String(pid)])
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
}
