/**
 * A real Docker Swarm of two engines, each in a network namespace of its own, joined by a veth
 * pair that carries the swarm ports (2377 control, 7946 gossip, 4789 overlay). Addresses
 * (198.18.213.0/24, a benchmarking range) exist only inside the two namespaces.
 *
 * Every node also runs copies of the bed's open, basic and token registries and of its token
 * server, on the same `127.0.0.1:PORT` and over the same storage, so `127.0.0.1:PORT/repo:tag`
 * (and alice's credentials) mean the same on every node as in the host namespace. Requests the
 * nodes' engines make land in the copies' logs (`node.registryLogs`); the bed's own registry logs
 * keep only what was sent from the host namespace (the updater under test, pushes).
 *
 * Parameterised by engine (`SwarmEngineSpec`): the default is the machine's `dockerd`; another
 * engine build (e.g. Docker 26 unpacked elsewhere) gets its own namespaces, folders and state.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ping } from './_engine.ts'
import {
  findProcesses,
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
import type { RegistryName, Testbed } from './types.ts'

/** Which engine build the swarm's nodes run. */
export interface SwarmEngineSpec {
  /** Short name, part of namespace, folder and state names: `[a-z0-9]{1,8}`. @default 'default' */
  name: string
  /** The dockerd binary. @default 'dockerd' (from PATH) */
  dockerd?: string
  /** Extra dockerd arguments (e.g. `--add-runtime …`). */
  args?: readonly string[]
  /** Extra environment for dockerd (e.g. PATH with the build's containerd first). */
  env?: Readonly<Record<string, string>>
}

export interface SwarmNode {
  index: number
  role: 'manager' | 'worker'
  /** DOCKER_HOST value: `unix:///…/docker.sock` (reachable from the host namespace). */
  host: string
  socketPath: string
  netns: string
  netnsPath: string
  /** The node's address on the veth link (inside the namespaces only). */
  address: string
  /** Access logs of the node's registry copies (the engine's own pulls). */
  registryLogs: Record<SwarmRegistry, string>
}

export type SwarmRegistry = Extract<RegistryName, 'open' | 'basic' | 'token'>
const SWARM_REGISTRIES: readonly SwarmRegistry[] = ['open', 'basic', 'token']

export interface SwarmCluster {
  engine: string
  /** nodes[0] is the manager, the others are workers. */
  nodes: SwarmNode[]
  manager: SwarmNode
}

interface SwarmState extends SwarmCluster {
  pids: number[]
}

const SUBNET = '198.18.213'
const stateFile = (dir: string, engine: string) => join(dir, `swarm-${engine}.json`)
export const swarmRoot = (dir: string) => join(dir, 'swarm')

async function readSwarm(dir: string, engine: string): Promise<SwarmState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir, engine), 'utf8')) as SwarmState
  } catch {
    return undefined
  }
}

function nsName(dir: string, engine: string, index: number): string {
  const h = createHash('sha256').update(`${dir}|${engine}`).digest('hex').slice(0, 8)
  return `wt-swarm-${h}-${index}`
}

const nsenter = (netnsPath: string, cmd: string, args: readonly string[]) => [
  `--net=${netnsPath}`,
  cmd,
  ...args,
]

function dockerIn(node: { host: string }, args: readonly string[]) {
  return run('docker', args, { env: { ...process.env, DOCKER_HOST: node.host } })
}

async function dockerOk(node: { host: string }, args: readonly string[]): Promise<string> {
  const r = await dockerIn(node, args)
  if (r.code !== 0)
    throw new TestbedError('WT_TESTBED_SWARM', `docker ${args.join(' ')} on ${node.host}: ${r.stderr.trim()}`)
  return r.stdout.trim()
}

/** GET https?://127.0.0.1:PORT/v2/ inside the namespace answers (any status: the registry is up). */
function answersInNs(netnsPath: string, url: string): Promise<boolean> {
  const script = `const u=new URL(${JSON.stringify(url)});require(u.protocol==='https:'?'https':'http').get(u,{rejectUnauthorized:false,headers:{'user-agent':'wt-testbed-healthcheck'}},r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1))`
  return run('nsenter', nsenter(netnsPath, process.execPath, ['-e', script])).then((r) => r.code === 0)
}

async function readyNodes(manager: { host: string }): Promise<number> {
  const r = await dockerIn(manager, ['node', 'ls', '--format', '{{.Status}} {{.Availability}}'])
  if (r.code !== 0) return 0
  return r.stdout.split('\n').filter((l) => l.trim() === 'Ready Active').length
}

async function healthy(s: SwarmState | undefined, bed: Testbed): Promise<boolean> {
  if (!s) return false
  if (!s.pids.every((p) => pidAlive(p))) return false
  for (const n of s.nodes) if (!(await ping(n))) return false
  if ((await readyNodes(s.manager)) !== s.nodes.length) return false
  for (const n of s.nodes) {
    for (const r of SWARM_REGISTRIES) {
      const info = bed.registries[r]
      if (!(await answersInNs(n.netnsPath, `${info.url}/v2/`))) return false
    }
  }
  return true
}

/**
 * Starts (once, shared by every worker of the run) a swarm of `nodes` engines (1 or 2) and returns
 * it; reuses a healthy one. Everything it starts is stopped by `pnpm testbed down` and at the end
 * of a run (as the isolated engine).
 */
export async function ensureSwarm(
  bed: Testbed,
  options: { nodes?: 1 | 2; engine?: SwarmEngineSpec } = {},
): Promise<SwarmCluster> {
  const spec = options.engine ?? { name: 'default' }
  if (!/^[a-z0-9]{1,8}$/.test(spec.name))
    throw new TestbedError('WT_TESTBED_SWARM', `swarm engine name "${spec.name}" must match [a-z0-9]{1,8}`)
  const count = options.nodes ?? 2
  const dir = bed.dir
  return withLock(dir, `swarm-${spec.name}`, async () => {
    const prev = await readSwarm(dir, spec.name)
    if (prev && prev.nodes.length === count && (await healthy(prev, bed))) return publicPart(prev)
    await stopSwarm(dir, spec.name)
    const root = join(swarmRoot(dir), spec.name)
    await rm(root, { recursive: true, force: true })
    const pids: number[] = []
    const nodes: SwarmNode[] = []
    for (let i = 0; i < count; i++) {
      const netns = nsName(dir, spec.name, i)
      const netnsPath = `/var/run/netns/${netns}`
      await run('ip', ['netns', 'del', netns])
      await rm(netnsPath, { force: true })
      await runOk('ip', ['netns', 'add', netns])
      await runOk('ip', ['-n', netns, 'link', 'set', 'lo', 'up'])
      const nroot = join(root, `node${i}`)
      nodes.push({
        index: i,
        role: i === 0 ? 'manager' : 'worker',
        host: `unix://${join(nroot, 'docker.sock')}`,
        socketPath: join(nroot, 'docker.sock'),
        netns,
        netnsPath,
        address: `${SUBNET}.${i + 1}`,
        registryLogs: {
          open: join(nroot, 'registry-open.log'),
          basic: join(nroot, 'registry-basic.log'),
          token: join(nroot, 'registry-token.log'),
        },
      })
    }
    // One veth pair between the two namespaces (the same interface name on both sides).
    if (count === 2) {
      const [a, b] = nodes as [SwarmNode, SwarmNode]
      await runOk('ip', [
        '-n',
        a.netns,
        'link',
        'add',
        'wtswarm',
        'type',
        'veth',
        'peer',
        'name',
        'wtswarm',
        'netns',
        b.netns,
      ])
    }
    for (const n of nodes) {
      if (count === 2) {
        await runOk('ip', ['-n', n.netns, 'addr', 'add', `${n.address}/24`, 'dev', 'wtswarm'])
        await runOk('ip', ['-n', n.netns, 'link', 'set', 'wtswarm', 'up'])
      } else {
        // A single node still needs an address that is not loopback to advertise.
        await runOk('ip', ['-n', n.netns, 'link', 'add', 'wtswarm', 'type', 'dummy'])
        await runOk('ip', ['-n', n.netns, 'addr', 'add', `${n.address}/24`, 'dev', 'wtswarm'])
        await runOk('ip', ['-n', n.netns, 'link', 'set', 'wtswarm', 'up'])
      }
    }

    for (const n of nodes) {
      const nroot = join(root, `node${n.index}`)
      for (const d of ['data', 'exec']) await mkdir(join(nroot, d), { recursive: true })
      const logFile = join(nroot, 'dockerd.log')
      const pid = spawnDetached(
        'nsenter',
        nsenter(n.netnsPath, spec.dockerd ?? 'dockerd', [
          '--host',
          n.host,
          '--data-root',
          join(nroot, 'data'),
          '--exec-root',
          join(nroot, 'exec'),
          '--pidfile',
          join(nroot, 'dockerd.pid'),
          ...(spec.args ?? []),
        ]),
        { logFile, env: { ...process.env, ...spec.env } },
      )
      pids.push(pid)
      await waitFor(`swarm node ${n.index} dockerd`, () => ping(n), {
        timeoutMs: 60_000,
        logFile,
        alive: () => pidAlive(pid),
      })

      // Copies of the bed's registries and token server inside the node's namespace.
      for (const r of SWARM_REGISTRIES) {
        const config = JSON.parse(await readFile(join(dir, 'registries', r, 'config.yml'), 'utf8')) as Record<
          string,
          unknown
        >
        const file = join(nroot, `registry-${r}.yml`)
        await writeFile(file, JSON.stringify(config, null, 2))
        const rpid = spawnDetached('nsenter', nsenter(n.netnsPath, 'docker-registry', ['serve', file]), {
          logFile: n.registryLogs[r],
        })
        pids.push(rpid)
      }
      const tokenConfig = join(nroot, 'token-server.json')
      await writeFile(tokenConfig, await readFile(join(dir, 'token-server', 'config.json')), { mode: 0o600 })
      const script = fileURLToPath(new URL('./token-server.mjs', import.meta.url))
      const tpid = spawnDetached('nsenter', nsenter(n.netnsPath, process.execPath, [script, tokenConfig]), {
        logFile: join(nroot, 'token-server.log'),
      })
      pids.push(tpid)
      for (const r of SWARM_REGISTRIES) {
        await waitFor(
          `registry ${r} in swarm node ${n.index}`,
          () => answersInNs(n.netnsPath, `${bed.registries[r].url}/v2/`),
          {
            timeoutMs: 30_000,
            logFile: n.registryLogs[r],
          },
        )
      }
      await waitFor(
        `token server in swarm node ${n.index}`,
        () => answersInNs(n.netnsPath, bed.tokenServer.realm),
        {
          timeoutMs: 20_000,
          logFile: join(nroot, 'token-server.log'),
          alive: () => pidAlive(tpid),
        },
      )
    }

    const manager = nodes[0]!
    await dockerOk(manager, [
      'swarm',
      'init',
      '--advertise-addr',
      manager.address,
      '--listen-addr',
      `${manager.address}:2377`,
    ])
    const token = await dockerOk(manager, ['swarm', 'join-token', '-q', 'worker'])
    for (const n of nodes.slice(1)) {
      await dockerOk(n, [
        'swarm',
        'join',
        '--token',
        token,
        '--advertise-addr',
        n.address,
        '--listen-addr',
        `${n.address}:2377`,
        `${manager.address}:2377`,
      ])
    }
    await waitFor(`${count} swarm nodes ready`, async () => (await readyNodes(manager)) === count, {
      timeoutMs: 60_000,
    })
    const state: SwarmState = { engine: spec.name, nodes, manager, pids }
    await writeFile(stateFile(dir, spec.name), `${JSON.stringify(state, null, 2)}\n`)
    return publicPart(state)
  })
}

function publicPart(s: SwarmState): SwarmCluster {
  const { pids: _p, ...rest } = s
  return rest
}

/** Stops one swarm's engines, registries and token servers; removes its namespaces and folders. */
export async function stopSwarm(dir: string, engine: string): Promise<void> {
  const s = await readSwarm(dir, engine)
  if (s) {
    // Registries and token servers first (plain processes), then the engines (they take longer).
    const pattern = /nsenter|docker-registry|token-server|dockerd/
    const engines: number[] = []
    const others: number[] = []
    for (const p of s.pids) {
      const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')
      if (/dockerd/.test(cmd)) engines.push(p)
      else others.push(p)
    }
    await Promise.all(others.map((p) => stopPid(p, pattern)))
    await Promise.all(engines.map((p) => stopPid(p, pattern, 60_000)))
    for (const n of s.nodes) await run('ip', ['netns', 'del', n.netns])
  }
  // nsenter execs the command, so the pids above are the processes themselves; leftovers of a
  // lost state file are found by the folder in their command line.
  const root = join(swarmRoot(dir), engine)
  // A dockerd killed hard leaves its containerd and the shims of running tasks behind.
  for (const pat of [PROC.registry, PROC.tokenServer, PROC.dockerd, /containerd/]) {
    for (const pid of await findProcesses(`${root}/`, pat)) await stopPid(pid, pat, 60_000)
  }
  await unmountUnder(root)
  for (let i = 0; i < 2; i++) {
    const ns = nsName(dir, engine, i)
    await run('ip', ['netns', 'del', ns])
  }
  await rm(stateFile(dir, engine), { force: true })
}

/** Every swarm the state folder records (for `pnpm testbed status`). */
export async function readSwarms(dir: string): Promise<SwarmCluster[]> {
  const out: SwarmCluster[] = []
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const m = /^swarm-([a-z0-9]{1,8})\.json$/.exec(f)
    const s = m && (await readSwarm(dir, m[1]!))
    if (s) out.push(publicPart(s))
  }
  return out
}

/** Stops every swarm of the state folder (any engine). */
export async function stopSwarms(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  for (const f of names) {
    const m = /^swarm-([a-z0-9]{1,8})\.json$/.exec(f)
    if (m) await stopSwarm(dir, m[1]!)
  }
  const roots = await readdir(swarmRoot(dir)).catch(() => [] as string[])
  for (const engine of roots) await stopSwarm(dir, engine)
}
