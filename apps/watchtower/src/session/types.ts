import type { ImageReference } from '@watchtower-ts/image-reference'
import type { WatchtowerConfig } from '../config/types.ts'

/** Report states, as upstream's session report (§3.12). */
export type ContainerState = 'Skipped' | 'Scanned' | 'Updated' | 'Failed' | 'Fresh' | 'Stale'

export interface ContainerReport {
  /** `service` for a swarm service (updated through the cluster); absent for a container. */
  kind?: 'service'
  /** Container id, or service id. */
  id: string
  /** The engine it runs on, with several engines (`--host` repeated); absent with one. */
  host?: string
  /** Id of the container that replaced it (updated). */
  newId?: string
  name: string
  imageName: string
  currentImageId: string
  latestImageId: string
  error?: string
  state: ContainerState
  /** A tag policy moved it (Updated) or found a newer tag (Stale, monitor-only): `from → to`. */
  tagChange?: { from: string; to: string; newImageName: string }
  /** The cooldown delay holds an update back (state Fresh): the new image and the time left. */
  waiting?: { imageName: string; waitMs: number; reason: string }
}

/** One session's result, lists sorted by container ID. */
export interface SessionReport {
  scanned: ContainerReport[]
  updated: ContainerReport[]
  failed: ContainerReport[]
  skipped: ContainerReport[]
  stale: ContainerReport[]
  fresh: ContainerReport[]
  /** Unique union: updated > failed > skipped > stale > fresh > scanned. */
  all: ContainerReport[]
  /**
   * Errors in local configuration met during the pass (a broken config.json, an unreadable
   * `REPO_PASS_FILE`, ...): logged at error level; `--run-once` exits non-zero for them.
   */
  configErrors?: string[]
  /** With several engines: each engine's outcome, in the order given (absent with one engine). */
  engines?: EngineResult[]
}

/** One engine of a fleet pass. */
export interface EngineResult {
  host: string
  /** Why the engine could not be reached, or what stopped it mid-pass. */
  error?: string
  counts: { scanned: number; updated: number; failed: number; skipped: number; stale: number; fresh: number }
}

export interface SessionRequest {
  /** Only containers whose image is one of these (parsed references), from `/v1/update?image=`. */
  images?: readonly ImageReference[]
  /** Aborts between containers; a swap in progress always finishes. */
  signal?: AbortSignal
  /** Check only (as --monitor-only): the status page's view of what is stale. */
  checkOnly?: boolean
  /** Only these engines (their --host values), from `/v1/update?host=`. @default every engine */
  hosts?: string[]
}

export interface SessionRunner {
  run(request?: SessionRequest): Promise<SessionReport>
  /** Registry client stats for /v1/metrics, when available. */
  stats?(): RunnerStats
  /** Once before the schedule starts (not for --run-once): e.g. remove other watchtower instances. */
  startup?(): Promise<void>
  /** Pings the Docker engine (for the health check); rejects when it does not answer. */
  ping?(): Promise<void>
  close?(): Promise<void>
}

export interface RunnerStats {
  registryRequests: Record<string, number>
  tokenCacheHits: number
  tokenCacheMisses: number
  rateLimitRemaining: Record<string, number>
}

export interface RunnerContext {
  log: import('pino').Logger
  /** The process environment (REPO_USER, DOCKER_CONFIG, ...). */
  env: NodeJS.ProcessEnv
  /** Told what a pass sees while it runs (the status store). */
  observer?: import('../status/store.ts').RunObserver
}

export type SessionRunnerFactory = (config: WatchtowerConfig, ctx: RunnerContext) => Promise<SessionRunner>

export function emptyReport(): SessionReport {
  return { scanned: [], updated: [], failed: [], skipped: [], stale: [], fresh: [], all: [] }
}

/** Builds the report lists from per-container results (upstream's classification). */
export function buildReport(entries: readonly ContainerReport[]): SessionReport {
  const r = emptyReport()
  const byId = (a: ContainerReport, b: ContainerReport) =>
    a.id.localeCompare(b.id) || (a.host ?? '').localeCompare(b.host ?? '')
  for (const e of [...entries].sort(byId)) {
    switch (e.state) {
      case 'Skipped':
        r.skipped.push(e)
        continue
      case 'Updated':
        r.updated.push(e)
        break
      case 'Failed':
        r.failed.push(e)
        break
      case 'Stale':
        r.stale.push(e)
        break
      case 'Fresh':
        r.fresh.push(e)
        break
      case 'Scanned':
        break
    }
    r.scanned.push(e)
  }
  const seen = new Set<string>()
  for (const list of [r.updated, r.failed, r.skipped, r.stale, r.fresh, r.scanned]) {
    for (const e of list) {
      const key = e.host === undefined ? e.id : `${e.host}\n${e.id}`
      if (seen.has(key)) continue
      seen.add(key)
      r.all.push(e)
    }
  }
  return r
}
