import type {
  ContainerInspect,
  ContainerSummary,
  CreateContainerBody,
  DockerEngine,
  ImageInspect,
} from '../src/engine.ts'
import { UpdaterError } from '../src/errors.ts'

/**
 * An in-memory Docker engine for the unit tier (plan and fleet logic, and scale the real bed cannot
 * hold): containers, images and tags in maps, every call counted. `pullImage(ref)` moves the tag to
 * the image `remote` names for it. `down()` makes every later call fail as an unreachable engine.
 */
export interface MemoryEngine extends DockerEngine {
  calls: Record<string, number>
  /** Image reference → the image a pull of it gets (`Id`, and the digest as `RepoDigests`). */
  remote: Map<string, { id: string; digest: string }>
  addImage(ref: string, id: string, digest: string): void
  addContainer(
    name: string,
    ref: string,
    labels?: Record<string, string>,
    hostConfig?: Record<string, unknown>,
  ): string
  containerByName(name: string): ContainerInspect | undefined
  down(): void
}

let counter = 0
const newId = () => (++counter).toString(16).padStart(64, '0')

export function memoryEngine(options: { delayMs?: number } = {}): MemoryEngine {
  const calls: Record<string, number> = {}
  const images = new Map<string, ImageInspect>()
  const tags = new Map<string, string>()
  const containers = new Map<string, ContainerInspect>()
  const remote = new Map<string, { id: string; digest: string }>()
  let isDown = false
  const wait = () =>
    options.delayMs ? new Promise((r) => setTimeout(r, options.delayMs)) : Promise.resolve()
  const notFound = (what: string) =>
    new UpdaterError('WT_UPDATER_ENGINE_NOT_FOUND', `no such ${what}`, { statusCode: 404 })
  const find = (idOrName: string) => {
    const c =
      containers.get(idOrName) ??
      [...containers.values()].find(
        (x) => x.Id.startsWith(idOrName) || x.Name === `/${idOrName}` || x.Name === idOrName,
      )
    if (!c) throw notFound(`container ${idOrName}`)
    return c
  }
  const image = (ref: string) => {
    const img = images.get(tags.get(ref) ?? ref)
    if (!img) throw notFound(`image ${ref}`)
    return img
  }
  const repoOf = (ref: string) => ref.replace(/:[^:/]+$/, '')
  const addImage = (ref: string, id: string, digest: string) => {
    const old = images.get(id)
    images.set(id, {
      Id: id,
      RepoTags: [...(old?.RepoTags ?? []), ref],
      RepoDigests: [`${repoOf(ref)}@${digest}`],
      Config: { Image: ref, Labels: {} },
      Os: 'linux',
      Architecture: 'amd64',
    })
    tags.set(ref, id)
  }
  const engine: Record<string, unknown> = {
    calls,
    remote,
    addImage,
    addContainer(name: string, ref: string, labels: Record<string, string> = {}, hostConfig = {}) {
      const id = newId()
      containers.set(id, {
        Id: id,
        Name: `/${name}`,
        Created: '',
        Image: image(ref).Id,
        State: { Status: 'running', Running: true },
        Config: { Image: ref, Labels: labels },
        HostConfig: { NetworkMode: 'none', ...hostConfig },
        NetworkSettings: { Networks: {} },
      })
      return id
    },
    containerByName: (name: string) => [...containers.values()].find((c) => c.Name === `/${name}`),
    down() {
      isDown = true
    },
  }
  const api: DockerEngine = {
    version: async () => ({ Version: '20.10.24', ApiVersion: '1.41' }),
    apiVersion: async () => '1.41',
    async listContainers(o = {}) {
      const out: ContainerSummary[] = []
      for (const c of containers.values()) {
        if (!o.all && !(o.statuses ?? ['running']).includes(c.State.Status)) continue
        out.push({
          Id: c.Id,
          Names: [c.Name],
          State: c.State.Status,
          Labels: c.Config.Labels ?? {},
          HostConfig: { NetworkMode: c.HostConfig.NetworkMode ?? 'default' },
        })
      }
      return out
    },
    inspectContainer: async (id) => structuredClone(find(id)),
    inspectImage: async (ref) => structuredClone(image(ref)),
    async pullImage(ref) {
      const r = remote.get(ref)
      if (r) addImage(ref, r.id, r.digest)
    },
    async createContainer(name, body: CreateContainerBody) {
      if ([...containers.values()].some((c) => c.Name === `/${name}`))
        throw new UpdaterError('WT_UPDATER_ENGINE_CONFLICT', `name ${name} in use`, { statusCode: 409 })
      const id = newId()
      const { HostConfig, NetworkingConfig: _n, ...config } = body
      containers.set(id, {
        Id: id,
        Name: `/${name}`,
        Created: '',
        Image: image(body.Image ?? '').Id,
        State: { Status: 'created', Running: false },
        Config: config,
        HostConfig: HostConfig ?? {},
        NetworkSettings: { Networks: {} },
      })
      return id
    },
    async startContainer(id) {
      find(id).State = { Status: 'running', Running: true }
    },
    async killContainer(id) {
      find(id).State = { Status: 'exited', Running: false, ExitCode: 0 }
    },
    async renameContainer(id, name) {
      find(id).Name = `/${name}`
    },
    async removeContainer(id) {
      containers.delete(find(id).Id)
    },
    connectNetwork: async () => {},
    disconnectNetwork: async () => {},
    async removeImage(id) {
      images.delete(id)
    },
    exec: async () => ({ exitCode: 0, output: '', timedOut: false }),
  }
  for (const [name, fn] of Object.entries(api)) {
    engine[name] = async (...args: unknown[]) => {
      calls[name] = (calls[name] ?? 0) + 1
      await wait()
      if (isDown)
        throw new UpdaterError('WT_UPDATER_ENGINE', `${name}: connect ENOENT (engine down)`, {
          operation: name,
        })
      return (fn as (...a: unknown[]) => Promise<unknown>)(...args)
    }
  }
  return engine as unknown as MemoryEngine
}
