/**
 * Swarm services on a REAL two-node swarm (the bed's: two engines in their own network
 * namespaces, joined by a veth pair), images in the bed's private token registry. watchtower-ts
 * runs here in the host namespace against the manager's socket; the nodes pull from the copies
 * of the registries inside their namespaces, so the bed's own token registry and token server logs
 * hold only what watchtower-ts (its own User-Agent) and the test's pushes asked.
 *
 * WT_E2E_SWARM_ENGINE (a JSON SwarmEngineSpec, see tooling/testbed/README.md) runs the same tests
 * on another engine build; checked with Debian trixie's Docker 26.1.5 (API 1.45):
 * {"name":"d26","dockerd":"DIR/usr/sbin/dockerd","args":["--add-runtime","bookworm-runc=/usr/sbin/runc",
 * "--default-runtime","bookworm-runc"],"env":{"PATH":"DIR/usr/bin:…"}} with DIR = the unpacked
 * docker.io + containerd packages (tooling/image's downloadPackages(…, { suite: 'trixie' })).
 */
import {
  dockerCli,
  pushImage,
  registryRequests,
  type SwarmCluster,
  type SwarmEngineSpec,
  swarmCluster,
  tokenLog,
} from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { bed, build, uniqueName, watchtower } from '../../test/e2e-bed.ts'
import type { CliDeps } from '../deps.ts'
import { createSessionRunner } from '../wiring.ts'

const P = uniqueName('wtsw')
const UA = `wt-e2e-${P}`
const REG = bed.registries.token.host
const repoA = `alice/${P}-a`
const repoB = `alice/${P}-b`
const refA = `${REG}/${repoA}:latest`
const refB = `${REG}/${repoB}:latest`
const WEB = `${P}-web` // replicated, 3 replicas, repo a
const AGENT = `${P}-agent` // global (one task per node), repo b
const WEB2 = `${P}-web2` // replicated, 1 replica, repo b
const PLAIN = `${P}-plain` // a plain container on the manager, repo a
const ELSEWHERE = `${P}-elsewhere` // a plain container on the bed's own engine (a fleet's second engine), repo a
const RAW = `${P}-raw` // --no-resolve-image: task containers not pinned by digest
const PAUSE = `${P}-pause` // failure action pause, repo c
const SLOW = `${P}-slow` // a 60 s update delay, repo c
let swarm: SwarmCluster
let manager: string
let worker: string

async function sw(host: string, args: readonly string[]): Promise<string> {
  const r = await dockerCli(bed, args, { host, reject: true, timeoutMs: 240_000 })
  return r.stdout.trim()
}

/** watchtower-ts against a swarm node, with its own registry User-Agent. */
function wt(host: string, args: readonly string[], over: Partial<CliDeps> = {}) {
  return watchtower(args, {
    env: { PATH: process.env.PATH, DOCKER_HOST: host, DOCKER_CONFIG: bed.dockerConfigDir },
    createRunner: (config, ctx) => createSessionRunner(config, ctx, { userAgent: UA }),
    ...over,
  })
}

const specImage = (service: string) =>
  sw(manager, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', service])

/** `/version` of every running task container of `service`, on every node. */
async function taskVersions(service: string): Promise<string[]> {
  const out: string[] = []
  for (const node of swarm.nodes) {
    const ids = (
      await sw(node.host, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])
    )
      .split('\n')
      .filter(Boolean)
    for (const id of ids) out.push(`${node.role}:${await sw(node.host, ['exec', id, 'cat', '/version'])}`)
  }
  return out.sort()
}

/** Ids of every container (any state) of the swarm tasks of `service` on a node. */
async function taskContainers(host: string, service: string): Promise<string[]> {
  return (
    await sw(host, ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${service}`])
  )
    .split('\n')
    .filter(Boolean)
    .sort()
}

async function push(
  repository: string,
  variant: 'v1' | 'v2',
): Promise<{ ref: string; digest: string; pinned: string }> {
  const p = await pushImage(bed, { registry: 'token', variant, repository, tag: 'latest' })
  return { ...p, pinned: `${p.ref}@${p.digest}` }
}

/** Pushes an image whose tasks exit at once with 3. */
async function pushBroken(ref: string): Promise<string> {
  await build(ref, 'v1', ['CMD ["sh", "-c", "echo broken; exit 3"]'])
  const r = await dockerCli(bed, ['push', ref], { reject: true })
  return /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)![1]!
}

async function waitForLog(log: { text: string }, re: RegExp, timeoutMs = 240_000) {
  const until = Date.now() + timeoutMs
  while (!re.test(log.text)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}; log:\n${log.text.slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

beforeAll(async () => {
  // WT_E2E_SWARM_ENGINE: a JSON SwarmEngineSpec to run the nodes on another engine build (e.g. Docker 26).
  const spec = process.env.WT_E2E_SWARM_ENGINE
  swarm = await swarmCluster(bed, spec ? { engine: JSON.parse(spec) as SwarmEngineSpec } : {})
  manager = swarm.manager.host
  worker = swarm.nodes.find((n) => n.role === 'worker')!.host
  await push(repoA, 'v1')
  await push(repoB, 'v1')
  const create = (name: string, ref: string, extra: string[]) =>
    sw(manager, [
      'service',
      'create',
      '-q',
      '--detach=false',
      '--name',
      name,
      '--with-registry-auth',
      '--update-monitor',
      '2s',
      '--update-failure-action',
      'rollback',
      ...extra,
      ref,
    ])
  await create(WEB, refA, ['--replicas', '3'])
  await create(AGENT, refB, ['--mode', 'global'])
  await create(WEB2, refB, ['--replicas', '1', '--update-order', 'start-first'])
  await create(RAW, refA, ['--replicas', '2', '--no-resolve-image'])
  await sw(manager, ['run', '-d', '--network', 'none', '--name', PLAIN, refA])
  await sw(bed.docker.host, ['run', '-d', '--network', 'none', '--name', ELSEWHERE, refA])
}, 600_000)

afterAll(async () => {
  if (!swarm) return
  for (const s of [WEB, AGENT, WEB2, RAW, PAUSE, SLOW])
    await dockerCli(bed, ['service', 'rm', s], { host: manager })
  await dockerCli(bed, ['rm', '-f', PLAIN], { host: manager })
  await dockerCli(bed, ['rm', '-f', ELSEWHERE], { host: bed.docker.host })
})

describe('swarm services on a real two-node swarm', () => {
  it('the swarm has a manager and a worker, and tasks run on both', async () => {
    expect(swarm.nodes.map((n) => n.role)).toEqual(['manager', 'worker'])
    expect(await taskVersions(AGENT)).toEqual(['manager:v1', 'worker:v1'])
    expect(await specImage(WEB)).toMatch(
      new RegExp(`^${refA.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@sha256:`),
    )
  })

  it('--run-once over a fleet (the manager and the bed engine) updates a replicated and a global service through the cluster and plain containers on both engines in the same pass, with 1 ping + 1 token + U HEADs', async () => {
    const a2 = await push(repoA, 'v2')
    const b2 = await push(repoB, 'v2')
    const plainBefore = await sw(manager, ['inspect', '--format', '{{.Id}}', PLAIN])
    const tokensBefore = (await tokenLog(bed)).length
    const rawBefore = {
      manager: await taskContainers(manager, RAW),
      worker: await taskContainers(worker, RAW),
    }
    const started = Date.now()
    const elsewhereBefore = await sw(bed.docker.host, ['inspect', '--format', '{{.Id}}', ELSEWHERE])
    // a fleet: the swarm manager (services and containers) and the bed's engine (containers only)
    const fleet = ['--host', manager, '--host', bed.docker.host]
    const r = await wt(manager, ['--run-once', ...fleet, WEB, AGENT, WEB2, PLAIN, RAW, ELSEWHERE])
    const seconds = (Date.now() - started) / 1000
    expect(r.code, r.stderr).toBe(0)

    // The services now pin the tag's new digest; every task runs the new image.
    expect(await specImage(WEB)).toBe(a2.pinned)
    expect(await specImage(AGENT)).toBe(b2.pinned)
    expect(await specImage(WEB2)).toBe(b2.pinned)
    expect(await taskVersions(WEB)).toEqual(expect.arrayContaining(['manager:v2']))
    expect((await taskVersions(WEB)).map((v) => v.split(':')[1])).toEqual(['v2', 'v2', 'v2'])
    expect(await taskVersions(AGENT)).toEqual(['manager:v2', 'worker:v2'])
    expect(r.stderr).toMatch(new RegExp(`Updated service ${WEB} `))
    expect(r.stderr).toMatch(new RegExp(`Updated service ${AGENT} `))

    // The plain container on the same engine was handled in the same pass.
    const plainAfter = await sw(manager, ['inspect', '--format', '{{.Id}}', PLAIN])
    expect(plainAfter).not.toBe(plainBefore)
    expect(await sw(manager, ['exec', PLAIN, 'cat', '/version'])).toBe('v2')
    expect(r.stderr).toMatch(new RegExp(`Updated ${PLAIN} `))

    // ... and the one on the fleet's other engine, reported with that engine's name.
    expect(await sw(bed.docker.host, ['inspect', '--format', '{{.Id}}', ELSEWHERE])).not.toBe(elsewhereBefore)
    expect(await sw(bed.docker.host, ['exec', ELSEWHERE, 'cat', '/version'])).toBe('v2')
    const elsewhereLine = r.stderr.split('\n').find((l) => l.includes(`Updated ${ELSEWHERE} `))
    expect(elsewhereLine).toContain(bed.docker.host)

    // The --no-resolve-image service is skipped with its reason; its task containers untouched.
    expect(r.stderr).toMatch(/not pinned by digest/)
    expect(await taskContainers(manager, RAW)).toEqual(rawBefore.manager)
    expect(await taskContainers(worker, RAW)).toEqual(rawBefore.worker)

    // Request economy, from the token registry's and the token server's own logs: 3 services
    // and 2 containers on two engines over U=2 repositories → 1 ping + 1 token + 2 HEADs.
    const mine = (await registryRequests(bed, 'token')).filter((x) => x.userAgent === UA)
    expect(mine.filter((x) => x.path === '/v2/')).toHaveLength(1)
    const heads = mine.filter((x) => x.path !== '/v2/')
    expect(heads.map((x) => `${x.method} ${x.path}`).sort()).toEqual([
      `HEAD /v2/${repoA}/manifests/latest`,
      `HEAD /v2/${repoB}/manifests/latest`,
    ])
    const tokens = (await tokenLog(bed))
      .slice(tokensBefore)
      // watchtower-ts's own (the bed engine's pull of the new image asks the same token server)
      .filter((t) => t.userAgent === UA && t.scopes.some((s) => s.includes(P)))
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.scopes.sort()).toEqual([`repository:${repoA}:pull`, `repository:${repoB}:pull`])
    console.info(
      `[swarm e2e] --run-once over 2 engines: 3 services (3 replicas, global on 2 nodes, 1 replica) + 2 containers over U=2: ` +
        `${mine.length - heads.length} ping + ${tokens.length} token + ${heads.length} HEAD; ${seconds.toFixed(1)} s`,
    )
  }, 300_000)

  it('a new image whose tasks fail is rolled back by the cluster, reported as failed and not retried until the tag moves (daemon, then --run-once); the daemon updates when it moves', async () => {
    const good = await specImage(WEB)
    const broken = await pushBroken(refA)
    const status = () => sw(manager, ['service', 'inspect', '--format', '{{json .UpdateStatus}}', WEB])

    // Daemon: the first pass sends the update, the cluster rolls it back.
    const first = daemon()
    await waitForLog(
      first.log,
      new RegExp(`Update of service ${WEB} failed: the cluster rolled the update back`),
    )
    expect(first.log.text).toMatch(/the cluster rolled the update back: .*task:? \w+.* non-zero exit \(3\)/)
    expect(await specImage(WEB)).toBe(good)
    expect((await taskVersions(WEB)).map((v) => v.split(':')[1])).toEqual(['v2', 'v2', 'v2'])
    const settled = await status()
    expect(JSON.parse(settled).State).toBe('rollback_completed')
    // Next passes: the same digest is not tried again.
    const passes = (first.log.text.match(/Session done/g) ?? []).length
    await waitForLog(first.log, new RegExp(`(Session done[\\s\\S]*){${passes + 2}}`))
    expect(first.log.text).toMatch(
      new RegExp(
        `Skipped service ${WEB}: the cluster rolled back the update to ${broken} .*not retried until`,
      ),
    )
    expect(await status()).toBe(settled)
    expect((await first.stop()).code).toBe(0)

    // A --run-once has no memory: the cluster's task history keeps it from retrying.
    const once = await wt(manager, ['--run-once', WEB])
    expect(once.code, once.stderr).toBe(0)
    expect(once.stderr).toMatch(
      new RegExp(`Skipped service ${WEB}: the cluster rolled back the update to ${broken}`),
    )
    expect(await status()).toBe(settled)

    // The tag moves (repo a back to v1, repo b to a new build): the daemon updates both services.
    const a = await push(repoA, 'v1')
    const b = await push(repoB, 'v1')
    const second = daemon([WEB, AGENT])
    await waitForLog(second.log, new RegExp(`Updated service ${WEB} `))
    await waitForLog(second.log, new RegExp(`Updated service ${AGENT} `))
    expect((await second.stop()).code).toBe(0)
    expect(await specImage(WEB)).toBe(a.pinned)
    expect(await specImage(AGENT)).toBe(b.pinned)
    expect((await taskVersions(WEB)).map((v) => v.split(':')[1])).toEqual(['v1', 'v1', 'v1'])
    expect(await taskVersions(AGENT)).toEqual(['manager:v1', 'worker:v1'])
  }, 600_000)

  it('--monitor-only with --porcelain v1 reports a stale service (and a fresh one) and leaves it alone', async () => {
    const b = await push(repoB, 'v2') // AGENT pins v1 now, WEB2 still pins this digest
    const agentBefore = await specImage(AGENT)
    const r = await wt(manager, ['--run-once', '--monitor-only', '--porcelain', 'v1', AGENT, WEB2])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`${AGENT} (${refB}): Stale`)
    expect(r.stdout).toContain(`${WEB2} (${refB}): Fresh`)
    expect(await specImage(AGENT)).toBe(agentBefore)
    expect(await specImage(WEB2)).toBe(b.pinned)
  })

  it('the HTTP API (?image= filter) updates a service and answers it as a service; /v1/metrics counts services apart', async () => {
    let port = 0
    let stop: ((s: string) => void) | undefined
    const done = wt(
      manager,
      [
        '--http-api-update',
        '--http-api-metrics',
        '--http-api-token',
        'e2e-token',
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
        AGENT,
        WEB,
      ],
      {
        onListening: (p) => {
          port = p
        },
        onShutdown: (h) => {
          stop = h
          return () => {}
        },
      },
    )
    while (!port) await new Promise((r) => setTimeout(r, 20))
    const base = `http://127.0.0.1:${port}`
    const headers = { authorization: 'Bearer e2e-token' }
    // ?image= picks services by their image too: AGENT (repo b), not WEB (repo a).
    const res = await fetch(`${base}/v1/update?image=${REG}/${repoB}`, { method: 'POST', headers })
    const body = (await res.json()) as { containers: { kind: string; name: string; state: string }[] }
    expect(body.containers).toEqual([
      expect.objectContaining({ kind: 'service', name: AGENT, state: 'Updated' }),
    ])
    const metrics = await (await fetch(`${base}/v1/metrics`, { headers })).text()
    expect(metrics).toMatch(/^watchtower_services_updated 1$/m)
    expect(metrics).toMatch(/^watchtower_containers_updated 0$/m)
    stop!('SIGTERM')
    expect((await done).code).toBe(0)
    expect(await specImage(AGENT)).toBe(await specImage(WEB2))
    expect(await taskVersions(AGENT)).toEqual(['manager:v2', 'worker:v2'])
  })

  it('failure_action pause: the cluster pauses the update, reported as failed with the engine message; a slow rollout times out', async () => {
    const repoC = `alice/${P}-c`
    const refC = `${REG}/${repoC}:latest`
    await push(repoC, 'v1')
    await sw(manager, [
      'service',
      'create',
      '-q',
      '--detach=false',
      '--name',
      PAUSE,
      '--with-registry-auth',
      '--replicas',
      '2',
      '--update-monitor',
      '2s',
      '--update-failure-action',
      'pause',
      refC,
    ])
    const refD = `${REG}/alice/${P}-d:latest`
    await push(`alice/${P}-d`, 'v1')
    await sw(manager, [
      'service',
      'create',
      '-q',
      '--detach=false',
      '--name',
      SLOW,
      '--with-registry-auth',
      '--replicas',
      '2',
      '--update-delay',
      '60s',
      refD,
    ])
    await pushBroken(refC)
    await push(`alice/${P}-d`, 'v2') // works, but the rollout waits 60 s between tasks
    const r = await wt(manager, ['--run-once', '--service-timeout', '8s', PAUSE, SLOW])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(
        `Update of service ${PAUSE} failed: the cluster paused the update \\(paused\\): update paused due to failure`,
      ),
    )
    expect(r.stderr).toMatch(
      new RegExp(
        `Update of service ${SLOW} failed: the cluster did not finish updating service ${SLOW} within 8 s \\(state updating`,
      ),
    )
    // The next pass leaves the paused service alone (a person resumes or fixes it).
    const again = await wt(manager, ['--run-once', PAUSE])
    expect(again.stderr).toMatch(new RegExp(`Skipped service ${PAUSE}: the cluster paused the last update`))
  }, 300_000)

  it('on the worker, services are skipped with a clear message and no task container is recreated', async () => {
    const before = {
      raw: await taskContainers(worker, RAW),
      agent: await taskContainers(worker, AGENT),
    }
    expect(before.raw.length + before.agent.length).toBeGreaterThan(0)
    await push(repoA, 'v2') // RAW's tag (not pinned) and WEB's tag move
    const r = await wt(worker, ['--run-once'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /Swarm worker: this engine is a swarm worker: services are updated only through a manager/,
    )
    expect(await taskContainers(worker, RAW)).toEqual(before.raw)
    expect(await taskContainers(worker, AGENT)).toEqual(before.agent)
    const names = await sw(worker, ['ps', '-a', '--format', '{{.Names}}'])
    expect(names.split('\n').filter((n) => n.startsWith(P) && !n.includes('.'))).toEqual([])
  })
})

function daemon(names: readonly string[] = [WEB]) {
  const log = capture()
  let stop: ((s: string) => void) | undefined
  const done = wt(manager, ['--interval', '2', ...names], {
    stderr: log,
    onShutdown: (h) => {
      stop = h
      return () => {}
    },
  })
  return {
    log,
    async stop() {
      stop!('SIGTERM')
      return done
    },
  }
}
