/**
 * The narrow view of the Docker Engine API the updater needs. `createDockerEngine()` implements
 * it over dockerode; tests wrap it (fault injection) or replace it. Shapes are the engine's own
 * JSON (PascalCase); fields the updater does not interpret are kept as `unknown` and passed
 * through untouched on recreate.
 */

export interface HealthConfig {
  Test?: string[] | null
  Interval?: number
  Timeout?: number
  StartPeriod?: number
  StartInterval?: number
  Retries?: number
}

export interface ContainerConfig {
  Hostname?: string
  Domainname?: string
  User?: string
  Env?: string[] | null
  Cmd?: string[] | null
  Entrypoint?: string[] | null
  Image?: string
  Labels?: Record<string, string> | null
  Volumes?: Record<string, object> | null
  ExposedPorts?: Record<string, object> | null
  WorkingDir?: string
  StopSignal?: string
  StopTimeout?: number | null
  Healthcheck?: HealthConfig | null
  MacAddress?: string
  [key: string]: unknown
}

export interface HostConfig {
  NetworkMode?: string
  Links?: string[] | null
  PortBindings?: Record<string, unknown> | null
  AutoRemove?: boolean
  Binds?: string[] | null
  [key: string]: unknown
}

export interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null
  Links?: string[] | null
  Aliases?: string[] | null
  DriverOpts?: Record<string, string> | null
  NetworkID?: string
  EndpointID?: string
  MacAddress?: string
  IPAddress?: string
  [key: string]: unknown
}

export interface ContainerState {
  Status: string
  Running: boolean
  Restarting?: boolean
  ExitCode?: number
  Health?: { Status: string } | null
  [key: string]: unknown
}

export interface ContainerInspect {
  Id: string
  /** With the leading `/`. */
  Name: string
  Created: string
  /** Image ID (`sha256:...`). */
  Image: string
  State: ContainerState
  Config: ContainerConfig
  HostConfig: HostConfig
  NetworkSettings: { Networks?: Record<string, EndpointSettings> | null; [key: string]: unknown }
  [key: string]: unknown
}

export interface ImageInspect {
  Id: string
  RepoTags?: string[] | null
  RepoDigests?: string[] | null
  Config?: ContainerConfig | null
  [key: string]: unknown
}

export interface ContainerSummary {
  Id: string
  Names: string[]
  State: string
  Labels?: Record<string, string> | null
  HostConfig?: { NetworkMode?: string }
}

export interface CreateContainerBody extends ContainerConfig {
  HostConfig?: HostConfig
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings> }
}

export interface EngineVersion {
  Version: string
  ApiVersion: string
  MinAPIVersion?: string
}

export interface ExecResult {
  /** `null` when the command did not finish before the timeout. */
  exitCode: number | null
  output: string
  timedOut: boolean
}

/** One message of the engine's pull progress stream (`{"status":"Downloading","id":…}`). */
export interface PullMessage {
  status?: string
  id?: string
  progressDetail?: { current?: number; total?: number }
}

export interface DockerEngine extends Partial<SwarmEngine> {
  /** The daemon's `/version` (unversioned request). */
  version(): Promise<EngineVersion>
  /** The API version requests use: min(daemon's, ours), or the explicit override. */
  apiVersion(): Promise<string>
  listContainers(options?: { all?: boolean; statuses?: readonly string[] }): Promise<ContainerSummary[]>
  inspectContainer(id: string): Promise<ContainerInspect>
  inspectImage(ref: string): Promise<ImageInspect>
  /**
   * `POST /images/create`; `auth` is the X-Registry-Auth value. Resolves when the pull finished.
   * `onProgress` receives each JSON message of the engine's progress stream.
   */
  pullImage(
    ref: string,
    options?: { auth?: string; onProgress?: (message: PullMessage) => void },
  ): Promise<void>
  createContainer(name: string, body: CreateContainerBody): Promise<string>
  startContainer(id: string): Promise<void>
  killContainer(id: string, signal: string): Promise<void>
  renameContainer(id: string, name: string): Promise<void>
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>
  connectNetwork(network: string, containerId: string, endpoint?: EndpointSettings): Promise<void>
  disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void>
  removeImage(id: string, options?: { force?: boolean }): Promise<void>
  /** Ends what the engine keeps open (the login of an `ssh://` engine); optional. */
  close?(): Promise<void>
  /** Runs `cmd` in the container; `timeoutMs` 0 waits without limit. */
  exec(
    id: string,
    cmd: readonly string[],
    options?: { timeoutMs?: number; user?: string },
  ): Promise<ExecResult>
}

/** `GET /info` → `Swarm`: this engine's place in a swarm. */
export interface SwarmInfo {
  /** `inactive`, `pending`, `active`, `error`, `locked`. */
  LocalNodeState: string
  /** True on a manager (it can read and change services). */
  ControlAvailable: boolean
  NodeID?: string
  [key: string]: unknown
}

/** A swarm service's spec: only what the updater reads; everything else is sent back untouched. */
export interface ServiceSpec {
  Name: string
  Labels?: Record<string, string> | null
  TaskTemplate: {
    ContainerSpec?: { Image?: string; Labels?: Record<string, string> | null; [key: string]: unknown }
    /** Counter that forces a redeploy when changed: the updater never touches it. */
    ForceUpdate?: number
    [key: string]: unknown
  }
  Mode?: { Replicated?: { Replicas?: number }; Global?: object; [key: string]: unknown }
  UpdateConfig?: {
    Parallelism?: number
    Delay?: number
    FailureAction?: string
    Monitor?: number
    MaxFailureRatio?: number
    Order?: string
  } | null
  [key: string]: unknown
}

export interface ServiceUpdateStatus {
  /** `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`, `rollback_completed`. */
  State?: string
  StartedAt?: string
  CompletedAt?: string
  Message?: string
}

export interface ServiceInspect {
  ID: string
  /** The swarm's version index: sent with an update, so a concurrent change fails instead of being lost. */
  Version: { Index: number }
  Spec: ServiceSpec
  PreviousSpec?: ServiceSpec | null
  UpdateStatus?: ServiceUpdateStatus | null
  [key: string]: unknown
}

export interface TaskInspect {
  ID: string
  ServiceID?: string
  NodeID?: string
  Slot?: number
  DesiredState?: string
  CreatedAt?: string
  Spec?: { ContainerSpec?: { Image?: string; [key: string]: unknown }; [key: string]: unknown }
  Status?: { State?: string; Message?: string; Err?: string; [key: string]: unknown }
  [key: string]: unknown
}

/**
 * The swarm part of the engine API. Optional on `DockerEngine` so an engine without it (a fake,
 * an older wrapper) simply has no services.
 */
export interface SwarmEngine {
  /** `GET /info` → `Swarm`. */
  swarmInfo(): Promise<SwarmInfo>
  /** `GET /services` (manager only). */
  listServices(): Promise<ServiceInspect[]>
  inspectService(id: string): Promise<ServiceInspect>
  /**
   * `POST /services/{id}/update?version=…` with the whole spec; `auth` is the X-Registry-Auth
   * value passed on to the nodes that pull. Resolves with the engine's warnings.
   */
  updateService(
    id: string,
    version: number,
    spec: ServiceSpec,
    options?: { auth?: string },
  ): Promise<string[]>
  /** `GET /tasks?filters={"service":[id]}`: current and historic tasks of a service. */
  listTasks(serviceId: string): Promise<TaskInspect[]>
}
