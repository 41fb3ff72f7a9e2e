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

export interface DockerEngine {
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
  /** Runs `cmd` in the container; `timeoutMs` 0 waits without limit. */
  exec(
    id: string,
    cmd: readonly string[],
    options?: { timeoutMs?: number; user?: string },
  ): Promise<ExecResult>
}
