import { isDeepStrictEqual } from 'node:util'
import { compareApiVersions } from './_docker-host.ts'
import type {
  ContainerConfig,
  ContainerInspect,
  CreateContainerBody,
  EndpointSettings,
  HealthConfig,
  HostConfig,
  ImageInspect,
} from './engine.ts'
import { LABELS } from './labels.ts'

export interface CreatePlan {
  /** Body for `POST /containers/create`: only the primary network before API 1.44, every network from 1.44 on. */
  body: CreateContainerBody
  /** Networks to connect after create, before start (before API 1.44 only: moby#29265, one network at create). */
  extraNetworks: Array<{ name: string; endpoint: EndpointSettings }>
}

export interface PlanOptions {
  /** Image reference the new container is created from. @default container.Config.Image */
  image?: string
  /** Container id → name (for `container:<id>` network mode and links). */
  nameOf?: (id: string) => string | undefined
  /**
   * The API version the create request uses. From 1.44 on, every network goes into the create
   * body (`EndpointsConfig`) and a user-set MAC address is per endpoint (`Config.MacAddress` is
   * deprecated). @default '1.41' (create, then connect; MAC in Config)
   */
  apiVersion?: string
  /**
   * Id of the image the new container runs. Compose v2 records the image id in
   * `com.docker.compose.image` and recreates a container whose label differs from the local
   * image's id: when the label names the old image, it is moved to this one, so a following
   * `docker compose up -d` finds nothing to change.
   */
  newImageId?: string
}

/** API 1.44 (Engine 25): several networks at create, per-endpoint MAC addresses. */
export const MULTI_NETWORK_API = '1.44'

/** The MAC an engine up to 26 derives from an IPv4 address (02:42 + the address): not user-set. */
function derivedMac(mac: string | undefined, ip: string | undefined): boolean {
  if (!mac || !ip) return false
  const octets = ip.split('.').map((n) => Number(n).toString(16).padStart(2, '0'))
  return octets.length === 4 && mac.toLowerCase() === `02:42:${octets.join(':')}`
}

/**
 * inspect → create options. The container's Config is the old image's defaults merged with
 * run-time options, so everything equal to the old image's value is dropped and the new
 * image's defaults win; HostConfig is kept whole; every network comes back with its aliases,
 * static IPs and driver options; hostname/MAC/ports that conflict with the network mode are scrubbed.
 */
export function planRecreate(
  container: ContainerInspect,
  oldImage: ImageInspect | undefined,
  options: PlanOptions = {},
): CreatePlan {
  const image: ContainerConfig = oldImage?.Config ?? {}
  const config: ContainerConfig = structuredClone(container.Config)
  const host: HostConfig = structuredClone(container.HostConfig)
  const networkMode = resolveNetworkMode(host.NetworkMode, options.nameOf)
  if (networkMode !== undefined) host.NetworkMode = networkMode
  const mode = host.NetworkMode ?? 'default'
  const isContainerMode = mode.startsWith('container:')
  const isHostMode = mode === 'host'

  config.Image = options.image ?? config.Image
  for (const key of ['WorkingDir', 'User', 'StopSignal'] as const) {
    if (config[key] !== undefined && config[key] === image[key]) delete config[key]
  }
  if (isDeepStrictEqual(config.Entrypoint ?? null, image.Entrypoint ?? null)) {
    delete config.Entrypoint
    if (isDeepStrictEqual(config.Cmd ?? null, image.Cmd ?? null)) delete config.Cmd
  }
  const health = diffHealth(config.Healthcheck, image.Healthcheck)
  if (health === undefined) delete config.Healthcheck
  else config.Healthcheck = health

  const imageEnv = new Set(image.Env ?? [])
  config.Env = (config.Env ?? []).filter((e) => !imageEnv.has(e))
  const labels: Record<string, string> = {}
  for (const [k, v] of Object.entries(config.Labels ?? {})) if (image.Labels?.[k] !== v) labels[k] = v
  if (options.newImageId && labels[LABELS.composeImage] === container.Image) {
    labels[LABELS.composeImage] = options.newImageId
  }
  config.Labels = labels
  const volumes: Record<string, object> = {}
  for (const [k, v] of Object.entries(config.Volumes ?? {})) if (!(k in (image.Volumes ?? {}))) volumes[k] = v
  config.Volumes = volumes
  const exposed: Record<string, object> = {}
  for (const [k, v] of Object.entries(config.ExposedPorts ?? {}))
    if (!(k in (image.ExposedPorts ?? {}))) exposed[k] = v
  for (const k of Object.keys(host.PortBindings ?? {})) exposed[k] = {}
  config.ExposedPorts = exposed

  // The engine makes the hostname from the id: the old id must not become the new hostname.
  if (config.Hostname !== undefined && container.Id.startsWith(config.Hostname)) delete config.Hostname
  if (isContainerMode || isHostMode) {
    delete config.Hostname
    delete config.Domainname
  }
  if (isContainerMode) {
    delete config.MacAddress
    config.ExposedPorts = {}
    host.PortBindings = {}
    host.PublishAllPorts = false
    host.Dns = []
    host.DnsOptions = []
    host.DnsSearch = []
    host.ExtraHosts = null
  }
  if (host.Links) host.Links = host.Links.map(rewriteLink)

  const multi = compareApiVersions(options.apiVersion ?? '1.41', MULTI_NETWORK_API) >= 0
  const userMac = config.MacAddress || undefined
  if (multi) delete config.MacAddress
  const body: CreateContainerBody = { ...config, HostConfig: host }
  const extraNetworks: CreatePlan['extraNetworks'] = []
  if (!isContainerMode && !isHostMode && mode !== 'none') {
    const networks = Object.entries(container.NetworkSettings.Networks ?? {})
    const primaryName = mode === 'default' ? 'bridge' : mode
    const primary = networks.find(([name]) => name === primaryName) ?? networks[0]
    if (primary) {
      const primaryEndpoint = endpointFor(primary[1], container.Id)
      if (multi && userMac) primaryEndpoint.MacAddress = userMac
      body.NetworkingConfig = { EndpointsConfig: { [primary[0]]: primaryEndpoint } }
      for (const [name, settings] of networks) {
        if (name === primary[0]) continue
        const endpoint = endpointFor(settings, container.Id)
        if (!multi) {
          extraNetworks.push({ name, endpoint })
          continue
        }
        // A MAC the user set on this endpoint (not the one the engine derives from the address).
        if (settings.MacAddress && !derivedMac(settings.MacAddress, settings.IPAddress))
          endpoint.MacAddress = settings.MacAddress
        body.NetworkingConfig.EndpointsConfig![name] = endpoint
      }
    }
  }
  return { body, extraNetworks }
}

/** Keeps only what the user configured on an endpoint (no runtime ids or addresses). */
function endpointFor(settings: EndpointSettings, containerId: string): EndpointSettings {
  const out: EndpointSettings = {}
  // Kept as inspected (`{}` stays `{}`); they only ever hold what the user configured.
  if (settings.IPAMConfig) out.IPAMConfig = settings.IPAMConfig
  const aliases = (settings.Aliases ?? []).filter((a) => !containerId.startsWith(a))
  if (aliases.length > 0) out.Aliases = aliases
  if (settings.Links && settings.Links.length > 0) out.Links = settings.Links
  if (settings.DriverOpts) out.DriverOpts = settings.DriverOpts
  return out
}

function diffHealth(
  container: HealthConfig | null | undefined,
  image: HealthConfig | null | undefined,
): HealthConfig | undefined {
  if (!container) return undefined
  const out: HealthConfig = {}
  for (const key of ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    const value = container[key]
    if (value === undefined || value === null) continue
    if (image && isDeepStrictEqual(value, image[key])) continue
    ;(out as Record<string, unknown>)[key] = value
  }
  return Object.keys(out).length === 0 ? undefined : out
}

/** `/db:/web/alias` (inspect form) → `db:alias` (create form). */
export function rewriteLink(link: string): string {
  const [target = '', alias = ''] = link.split(':')
  const name = target.replace(/^\//, '')
  const aliasName = alias.split('/').pop() ?? alias
  return aliasName === '' ? name : `${name}:${aliasName}`
}

function resolveNetworkMode(mode: string | undefined, nameOf: PlanOptions['nameOf']): string | undefined {
  if (!mode?.startsWith('container:') || !nameOf) return undefined
  const target = mode.slice('container:'.length)
  const name = nameOf(target)
  return name === undefined ? undefined : `container:${name.replace(/^\//, '')}`
}
