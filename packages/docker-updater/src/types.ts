import type { ImageReference } from '@watchtower-ts/image-reference'
import type { DockerEngine } from './engine.ts'
import type { SelectionOptions } from './filters.ts'
import type { TagPolicy } from './tag-policy.ts'

/** The engine's place in a swarm, as the pass sees it. */
export type SwarmRole = 'none' | 'manager' | 'worker'

/**
 * Digests of updates the cluster rolled back, per service id: not retried until the tag points at
 * another digest. Keep one for the life of the process (the daemon); a `--run-once` learns the
 * same from the service's task history (see `rolledBackBefore`).
 */
export type RolledBackMemory = Map<string, { digest: string; message: string }>

/** An image's platform, as in an OCI index entry and the engine's image inspect (Os/Architecture/Variant). */
export interface ImagePlatform {
  os: string
  architecture: string
  variant?: string
}

/**
 * Registry check, wired by the apps to registry-client's `check`. Every method receives the
 * reference the updater parsed once (`@watchtower-ts/image-reference`); `ref.original` is the
 * container's own spelling.
 */
export interface ImageChecker {
  /**
   * `localRepoDigests` are the local image's RepoDigests of the same repository as `ref`.
   * `remoteDigest`, when given, lets the updater reuse one check for every container of a ref.
   */
  check(
    ref: ImageReference,
    localRepoDigests: readonly string[],
  ): Promise<{ status: 'fresh' | 'stale'; remoteDigest?: string }>
  /**
   * Called once per pass, before any `check`, with every distinct image reference the pass will
   * check, so a registry client can ask one token for all of a registry's repositories.
   */
  prepare?(refs: readonly ImageReference[]): void | Promise<void>
  /**
   * The repository's tags (only asked for containers with a tag policy, once per repository per
   * pass). `truncated` when the registry's list was cut at the client's bounds.
   */
  listTags?(ref: ImageReference): Promise<{ tags: readonly string[]; truncated?: boolean }>
  /**
   * The config of `ref` for `platform`: its `created` time (ms) and the platform the config
   * names. Throws when the tag has no image for that platform. Asked only when a cooldown delay is
   * set or a tag policy offers a new tag (one config blob per candidate image).
   */
  imageConfig?(
    ref: ImageReference,
    platform: ImagePlatform,
  ): Promise<{ created?: number; platform?: ImagePlatform }>
}

/** X-Registry-Auth for engine pulls of `ref`, wired by the apps to credentials' `engineAuth`. */
export interface AuthProvider {
  engineAuth(ref: ImageReference): Promise<string | undefined>
}

export type ContainerStatus =
  | 'scanned'
  | 'updated'
  | 'failed'
  | 'skipped'
  | 'stale'
  | 'fresh'
  | 'restarted'
  | 'rolled-back'

export interface ContainerReport {
  /** Container id before the pass (service id for a service). */
  id: string
  /** A plain container (default) or a swarm service updated through the cluster. */
  kind?: 'container' | 'service'
  /** Id of the container that replaced it (updated, restarted). */
  newId?: string
  /** Without the leading `/`. */
  name: string
  /** Image reference used for the check. */
  image: string
  /** Image ID; for a service, the digest its spec pinned. */
  oldImageId: string
  /** Image ID after the update; for a service, the tag's current digest. */
  newImageId?: string
  state: Exclude<ContainerStatus, 'scanned'>
  /** Why skipped / what failed (message of the error chain). */
  error?: string
  /** Stable code of the error, e.g. `WT_UPDATER_UNHEALTHY`. */
  errorCode?: string
  /** Non-fatal problems (a post-update hook failed, the old container could not be removed). */
  warnings: string[]
  /**
   * A tag policy moved (or, monitor-only, would move) the container to another tag: `image` is the
   * reference it ran, `newImage` the one it is recreated on (`name:toTag`).
   */
  tagChange?: { from: string; to: string; newImage: string }
  /** The cooldown delay holds the update back: the new image is too young (state stays `fresh`). */
  waiting?: { image: string; created: number; waitMs: number; reason: string }
  /** Candidate tags passed over (no image for the container's platform, unreadable config). */
  notes?: string[]
}

export interface RecoveryReport {
  /** Original container name. */
  name: string
  /** The renamed-aside container found. */
  leftoverId: string
  action: 'finished' | 'restored'
  error?: string
}

export interface UpdateReport {
  containers: ContainerReport[]
  /** Per final state, plus `scanned` = every container not skipped. */
  counts: Record<ContainerStatus, number>
  /** Swaps left half-done by an earlier run, found and settled at the start of this one. */
  recovered: RecoveryReport[]
  /** The engine's place in a swarm and what that meant for this pass. */
  swarm: SwarmPassInfo
}

export interface SwarmPassInfo {
  role: SwarmRole
  /** Containers of swarm tasks seen on this engine: never recreated as plain containers. */
  taskContainers: number
  /** Services looked at (after selection). */
  services: number
  /** Why services were not handled (a worker, services turned off), when they were not. */
  note?: string
}

/**
 * What a pass is doing, as it happens: `begin` just before the engine call, `end` right after it
 * with the time it took (ms, from the injected clock). Container names have no leading `/`.
 */
export type ProgressEvent =
  /** The registry (or, with no-pull, the local tag) has a newer image. `latest`: digest or image id. */
  | {
      type: 'found-stale'
      container: string
      image: string
      latest?: string
      /** A tag policy found a newer tag: `image` is the container's reference, `to` the new tag. */
      tag?: { from: string; to: string; newImage: string }
      durationMs: number
    }
  | { type: 'pull'; phase: 'begin'; image: string; container: string }
  /** At most one per `pullProgressIntervalMs`; bytes of the layers the engine downloads. */
  | {
      type: 'pull'
      phase: 'progress'
      image: string
      currentBytes: number
      totalBytes: number
      durationMs: number
    }
  | { type: 'pull'; phase: 'end'; image: string; totalBytes: number; durationMs: number }
  | { type: 'stop'; phase: 'begin'; container: string; containerId: string; signal: string }
  | { type: 'stop'; phase: 'end'; container: string; containerId: string; durationMs: number }
  | { type: 'create'; phase: 'begin'; container: string }
  | { type: 'create'; phase: 'end'; container: string; containerId: string; durationMs: number }
  | { type: 'start'; phase: 'begin'; container: string; containerId: string }
  | { type: 'start'; phase: 'end'; container: string; containerId: string; durationMs: number }
  /** The health gate passed: `healthy` (a healthcheck said so) or `running` (no healthcheck). */
  | {
      type: 'healthy'
      container: string
      containerId: string
      health: 'healthy' | 'running'
      durationMs: number
    }
  /** The new container was removed and the old one put back; `durationMs` is the rollback's. */
  | { type: 'rolled-back'; container: string; containerId: string; reason: string; durationMs: number }
  | { type: 'remove-image'; imageId: string }

export type UpdateEvent =
  | { type: 'step'; container: string; step: string }
  | { type: 'hook'; container: string; hook: string; exitCode: number | null; output: string }
  | { type: 'warning'; container?: string; message: string }
  | ProgressEvent

export interface UpdateOptions extends SelectionOptions {
  engine: DockerEngine
  /** Registry check; not needed when every container is no-pull. */
  checker?: ImageChecker
  /** X-Registry-Auth for pulls. @default none (anonymous) */
  auth?: AuthProvider
  /** Start recreated containers that were not running before. @default false */
  reviveStopped?: boolean
  /** Only report staleness; never stop or recreate. Also the `monitor-only` label. @default false */
  monitorOnly?: boolean
  /** Never pull: stale means the local tag now points to another image. Also the `no-pull` label. @default false */
  noPull?: boolean
  /** Labels monitor-only/no-pull override the flags instead of OR-ing with them. @default false */
  labelTakePrecedence?: boolean
  /** Stop and remove stale containers without recreating them (an external supervisor does). @default false */
  noRestart?: boolean
  /** Remove old images no container uses any more. @default false */
  cleanup?: boolean
  /** Remove anonymous volumes with removed containers. @default false */
  removeVolumes?: boolean
  /** Update one container at a time (stop, recreate, health gate, next). @default false */
  rollingRestart?: boolean
  /** Time between the stop signal and SIGKILL, ms. @default 10000 */
  stopTimeoutMs?: number
  /** Run the lifecycle hook labels. @default false */
  lifecycleHooks?: boolean
  /** Health gate: wait this long for `healthy` when the new container has a healthcheck; 0 = off. @default 60000 */
  healthTimeoutMs?: number
  /**
   * Tag policy for containers without a `tag-policy` label (`--tag-policy`). The labels
   * `tag-policy`, `tag-include`, `tag-exclude` and `tag-transform` override it per container.
   * @default digest (the same tag, a new digest)
   */
  tagPolicy?: TagPolicy
  /**
   * Minimum age of a new image before an update, ms (`--cooldown-delay`); the `cooldown-delay`
   * label overrides it. 0 turns it off. @default 0
   */
  cooldownDelayMs?: number
  /** Registry checks and pulls in flight at once. @default 4 */
  concurrency?: number
  /** Settle swaps a previous run left half-done (renamed-aside containers). @default true */
  recover?: boolean
  /** Id of the container this updater runs in: never stopped mid-pass, updated last (see self-update.ts). @default undefined */
  selfContainerId?: string
  /**
   * Id of the swarm service this updater runs in (its task's `com.docker.swarm.service.id`): updated
   * last, without waiting for the cluster to settle (the update replaces this very process).
   */
  selfServiceId?: string
  /**
   * How the own container is replaced: by a helper container from the new image running
   * `helperCommand` (see self-update.ts). Without it the own container is never updated (reported
   * failed, with a warning). @default undefined
   */
  selfUpdate?: { helperCommand: readonly string[] }
  /** Update plain containers. @default true */
  containers?: boolean
  /** Update swarm services when the engine is a swarm manager (the cluster rolls them out). @default true */
  services?: boolean
  /** How long to wait for the cluster to settle one service's update, ms. @default 600000 */
  serviceTimeoutMs?: number
  /**
   * Rolled-back service updates, remembered across passes: pass the same map to every pass of a
   * daemon. @default a new map per pass (the cluster's task history still prevents a retry)
   */
  rolledBack?: RolledBackMemory
  /** Poll interval for stop, health and removal waits, ms. @default 250 */
  pollIntervalMs?: number
  /** Least time between two pull `progress` events of one image, ms. @default 5000 */
  pullProgressIntervalMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  /** Receives every event of the pass as it happens (progress, hooks, warnings); never throws into the pass. */
  onEvent?: (event: UpdateEvent) => void
}
