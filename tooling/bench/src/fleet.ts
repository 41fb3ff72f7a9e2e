/**
 * Benchmark: one watchtower over a fleet against one watchtower per engine. 50 simulated engines ×
 * 40 containers over 8 repositories of the real token registry, `--monitor-only` check: the fleet
 * pass (one registry session, `runFleetUpdate`) side by side with 50 single-engine passes, each
 * with its own registry session (a new client: its own ping, token and HEADs), as 50 watchtowers
 * would. The engines are in-memory (no bed can hold 50 dockerds); the registry and the token
 * server are the real ones, and their logs are what is counted.
 */
import { createCredentialResolver } from '@watchtower-ts/credentials'
import {
  type ContainerInspect,
  type ContainerSummary,
  type DockerEngine,
  type ImageChecker,
  type ImageInspect,
  runFleetUpdate,
  runUpdate,
} from '@watchtower-ts/docker-updater'
import { createRegistryClient, parseReference } from '@watchtower-ts/registry-client'
import { type PushedImage, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { createTrustStore } from '@watchtower-ts/tls'
import { countSince, logCursor, type RequestCounts } from './_bed.ts'
import { pushRepos } from './_fixtures.ts'

export interface FleetFigures {
  engines: number
  containersPerEngine: number
  repositories: number
  /** Simulated engine latency per call, ms. */
  engineLatencyMs: number
  fleet: { requests: RequestCounts; ms: number }
  /** The sum of 50 single-engine passes (one watchtower per engine). */
  perEngine: { requests: RequestCounts; ms: number; medianMs: number }
}

export interface FleetOptions {
  engines?: number
  containers?: number
  repositories?: number
  log: (m: string) => void
}

const LATENCY_MS = 1

/** A read-only in-memory engine: `containers` running containers over `images`, every call `LATENCY_MS` late. */
function simulatedEngine(n: number, containers: number, images: readonly PushedImage[]): DockerEngine {
  const late = <T>(v: T) => new Promise<T>((r) => setTimeout(() => r(structuredClone(v)), LATENCY_MS))
  const imageIds = images.map((_, i) => `sha256:${String(i).padStart(64, '0')}`)
  const inspects = new Map<string, ContainerInspect>()
  for (let i = 0; i < containers; i++) {
    const k = i % images.length
    const id = `${n.toString(16).padStart(8, '0')}${i.toString(16).padStart(56, '0')}`
    inspects.set(id, {
      Id: id,
      Name: `/e${n}-c${i}`,
      Created: '',
      Image: imageIds[k]!,
      State: { Status: 'running', Running: true },
      Config: { Image: images[k]!.ref, Labels: {} },
      HostConfig: { NetworkMode: 'none' },
      NetworkSettings: { Networks: {} },
    })
  }
  const summaries: ContainerSummary[] = [...inspects.values()].map((c) => ({
    Id: c.Id,
    Names: [c.Name],
    State: 'running',
    Labels: {},
    HostConfig: { NetworkMode: 'none' },
  }))
  const imageOf = (ref: string): ImageInspect => {
    const k = Math.max(
      imageIds.indexOf(ref),
      images.findIndex((i) => i.ref === ref),
    )
    const img = images[k]!
    return {
      Id: imageIds[k]!,
      RepoTags: [img.ref],
      RepoDigests: [`${img.ref.replace(/:[^:/]+$/, '')}@${img.digest}`],
      Os: 'linux',
      Architecture: 'amd64',
    }
  }
  const refuse = () => Promise.reject(new Error('the simulated engine is read-only (monitor-only bench)'))
  return {
    version: () => late({ Version: '20.10.24', ApiVersion: '1.41' }),
    apiVersion: () => late('1.41'),
    listContainers: () => late(summaries),
    inspectContainer: (id) => late(inspects.get(id)!),
    inspectImage: (ref) => late(imageOf(ref)),
    pullImage: refuse,
    createContainer: refuse,
    startContainer: refuse,
    killContainer: refuse,
    renameContainer: refuse,
    removeContainer: refuse,
    connectNetwork: refuse,
    disconnectNetwork: refuse,
    removeImage: refuse,
    exec: refuse,
  }
}

/** One registry session (what one watchtower process holds). */
async function session(bed: Testbed, userAgent: string) {
  const env = { DOCKER_CONFIG: bed.dockerConfigDir }
  const credentials = createCredentialResolver({ env, useEnv: false })
  const trust = await createTrustStore({ caFile: bed.tls.caCert })
  const client = createRegistryClient({ credentials, trust, userAgent })
  const checker: ImageChecker = {
    prepare: (refs) => client.startCycle(refs),
    async check(ref, local) {
      const r = await client.check(ref, local)
      return { status: r.status, remoteDigest: r.remote.digest }
    },
  }
  return {
    checker,
    async close() {
      await client.close()
      await trust.close()
    },
  }
}

export async function benchFleet(bed: Testbed, options: FleetOptions): Promise<FleetFigures> {
  const engines = options.engines ?? 50
  const containers = options.containers ?? 40
  const repositories = options.repositories ?? 8
  const prefix = uniqueName('wtbench-fleet')
  options.log(
    `fleet: ${engines} simulated engines × ${containers} containers over ${repositories} repositories`,
  )
  const images = await pushRepos(bed, prefix, repositories)
  const fleetEngines = Array.from({ length: engines }, (_, n) => ({
    host: `sim://engine-${n}`,
    engine: simulatedEngine(n, containers, images),
  }))

  // One watchtower over the fleet: one registry session.
  const agentFleet = 'wtbench-fleet-one'
  let cursor = await logCursor(bed)
  let started = performance.now()
  const one = await session(bed, agentFleet)
  const report = await runFleetUpdate({ engines: fleetEngines, checker: one.checker, monitorOnly: true })
  const fleetMs = performance.now() - started
  await one.close()
  const bad = report.engines.filter((e) => e.error || e.report?.counts.skipped)
  if (bad.length) throw new Error(`fleet bench: ${bad.length} engines failed: ${JSON.stringify(bad[0])}`)
  const fleetRequests = await countSince(bed, cursor, prefix, new RegExp(agentFleet))

  // One watchtower per engine: a new registry session each.
  const agentEach = 'wtbench-fleet-each'
  cursor = await logCursor(bed)
  const runs: number[] = []
  for (const e of fleetEngines) {
    started = performance.now()
    const own = await session(bed, agentEach)
    await own.checker.prepare?.([...new Set(images.map((i) => i.ref))].map((r) => parseReference(r)))
    await runUpdate({ engine: e.engine, checker: own.checker, monitorOnly: true })
    await own.close()
    runs.push(performance.now() - started)
  }
  const perEngineRequests = await countSince(bed, cursor, prefix, new RegExp(agentEach))
  const sorted = [...runs].sort((a, b) => a - b)
  return {
    engines,
    containersPerEngine: containers,
    repositories,
    engineLatencyMs: LATENCY_MS,
    fleet: { requests: fleetRequests, ms: fleetMs },
    perEngine: {
      requests: perEngineRequests,
      ms: runs.reduce((a, b) => a + b, 0),
      medianMs: sorted[Math.floor(sorted.length / 2)]!,
    },
  }
}

/** The report's section (text and Markdown). */
export function fleetSection(f: FleetFigures) {
  const r = (q: RequestCounts) => [String(q.pings), String(q.tokens), String(q.manifests), String(q.total)]
  const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)
  return {
    title: `Fleet: ${f.engines} simulated engines × ${f.containersPerEngine} containers over ${f.repositories} repositories, token registry, monitor-only`,
    head: ['', 'pings', 'tokens', 'manifests', 'requests', 'wall', 'requests ÷ fleet', 'time ÷ fleet'],
    rows: [
      [
        'one watchtower for the fleet (runFleetUpdate)',
        ...r(f.fleet.requests),
        ms(f.fleet.ms),
        '1.00',
        '1.00',
      ],
      [
        `one watchtower per engine (${f.engines} passes, summed)`,
        ...r(f.perEngine.requests),
        ms(f.perEngine.ms),
        (f.perEngine.requests.total / f.fleet.requests.total).toFixed(2),
        (f.perEngine.ms / f.fleet.ms).toFixed(2),
      ],
    ],
    note: `In-memory engines (${f.engineLatencyMs} ms per engine call); the real token registry and token server, counted from their logs. One watchtower per engine: ${ms(f.perEngine.medianMs)} per engine (median), each with its own registry session.`,
  }
}
