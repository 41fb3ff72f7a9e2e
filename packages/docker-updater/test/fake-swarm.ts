/**
 * An in-memory swarm manager (or worker) for the planning logic of services: what a real swarm
 * will not do on demand (a paused update, an update that never settles, a concurrent change) is
 * scripted here. Container methods cover only listing and inspecting; anything that would change
 * a container is recorded and refused, so a test can prove it never happened.
 */
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  ServiceInspect,
  ServiceSpec,
  ServiceUpdateStatus,
  TaskInspect,
} from '../src/engine.ts'
import { UpdaterError } from '../src/errors.ts'

export interface FakeService {
  name: string
  image: string
  labels?: Record<string, string>
  updateStatus?: ServiceUpdateStatus
  tasks?: TaskInspect[]
  mode?: 'replicated' | 'global'
}

/** How the cluster answers the next update of a service: the UpdateStatus states it goes through. */
export type Script = { states: ServiceUpdateStatus[]; tasks?: TaskInspect[] } | { reject: string }

export interface UpdateCall {
  id: string
  version: number
  spec: ServiceSpec
  auth: string | undefined
}

export function fakeSwarm(
  options: {
    role?: 'manager' | 'worker' | 'none'
    services?: FakeService[]
    containers?: { name: string; image: string; labels?: Record<string, string> }[]
  } = {},
) {
  const role = options.role ?? 'manager'
  const services = new Map<string, ServiceInspect & { tasks: TaskInspect[] }>()
  let n = 0
  for (const s of options.services ?? []) {
    const id = `svc${String(++n).padStart(22, '0')}`
    services.set(id, {
      ID: id,
      Version: { Index: 10 + n },
      Spec: {
        Name: s.name,
        Labels: s.labels ?? {},
        TaskTemplate: { ContainerSpec: { Image: s.image, Args: ['x'] }, ForceUpdate: 3, Placement: {} },
        Mode: s.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: 3 } },
        UpdateConfig: { Parallelism: 1, FailureAction: 'rollback', Monitor: 2e9, Order: 'start-first' },
      },
      ...(s.updateStatus ? { UpdateStatus: s.updateStatus } : {}),
      tasks: s.tasks ?? [],
    })
  }
  const containers: ContainerInspect[] = (options.containers ?? []).map((c, i) => ({
    Id: `c${String(i).padStart(63, '0')}`,
    Name: `/${c.name}`,
    Created: '2026-01-01T00:00:00Z',
    Image: `sha256:${String(i).padStart(64, 'a')}`,
    State: { Status: 'running', Running: true },
    Config: { Image: c.image, Labels: c.labels ?? {} },
    HostConfig: {},
    NetworkSettings: {},
  }))
  const scripts = new Map<string, Script[]>()
  const calls: UpdateCall[] = []
  const mutations: string[] = []
  const inspects = new Map<string, number>()
  let listServicesCalls = 0
  let clock = 0
  const mutate = (what: string) => async () => {
    mutations.push(what)
    throw new UpdaterError('WT_UPDATER_ENGINE', `fake: ${what} refused`)
  }
  const progress = new Map<string, ServiceUpdateStatus[]>()

  const engine: DockerEngine = {
    version: async () => ({ Version: '20.10.24', ApiVersion: '1.41' }),
    apiVersion: async () => '1.41',
    listContainers: async () =>
      containers.map(
        (c): ContainerSummary => ({
          Id: c.Id,
          Names: [c.Name],
          State: 'running',
          Labels: c.Config.Labels ?? {},
        }),
      ),
    inspectContainer: async (id) => {
      const c = containers.find((x) => x.Id === id)
      if (!c) throw new UpdaterError('WT_UPDATER_ENGINE_NOT_FOUND', `no container ${id}`)
      return structuredClone(c)
    },
    inspectImage: async (ref) => ({ Id: ref, RepoDigests: [] }),
    pullImage: mutate('pullImage'),
    createContainer: mutate('createContainer'),
    startContainer: mutate('startContainer'),
    killContainer: mutate('killContainer'),
    renameContainer: mutate('renameContainer'),
    removeContainer: mutate('removeContainer'),
    connectNetwork: mutate('connectNetwork'),
    disconnectNetwork: mutate('disconnectNetwork'),
    removeImage: mutate('removeImage'),
    exec: mutate('exec'),
    swarmInfo: async () => ({
      LocalNodeState: role === 'none' ? 'inactive' : 'active',
      ControlAvailable: role === 'manager',
      NodeID: 'node1',
    }),
    listServices: async () => {
      listServicesCalls++
      if (role !== 'manager') throw new UpdaterError('WT_UPDATER_ENGINE', 'This node is not a swarm manager.')
      return [...services.values()].map(({ tasks: _t, ...s }) => structuredClone(s))
    },
    inspectService: async (id) => {
      const s = services.get(id)
      if (!s) throw new UpdaterError('WT_UPDATER_ENGINE_NOT_FOUND', `service ${id} not found`)
      inspects.set(id, (inspects.get(id) ?? 0) + 1)
      // Each inspect after an update moves one step along the scripted states.
      const steps = progress.get(id)
      if (steps && steps.length > 0) {
        s.UpdateStatus = steps.shift()!
        if (s.UpdateStatus.State === 'rollback_completed') {
          s.Spec = structuredClone(s.PreviousSpec!)
          s.PreviousSpec = null
        }
        s.Version.Index++
      }
      const { tasks: _t, ...rest } = s
      return structuredClone(rest)
    },
    updateService: async (id, version, spec, opts = {}) => {
      calls.push({ id, version, spec: structuredClone(spec), auth: opts.auth })
      const s = services.get(id)!
      if (version !== s.Version.Index)
        throw new UpdaterError(
          'WT_UPDATER_ENGINE',
          'engine updateService failed with 500: rpc error: code = Unknown desc = update out of sequence',
        )
      const script = scripts.get(id)?.shift() ?? {
        states: [
          { State: 'updating', Message: 'update in progress' },
          { State: 'completed', Message: 'update completed' },
        ],
      }
      if ('reject' in script) throw new UpdaterError('WT_UPDATER_ENGINE', script.reject)
      s.PreviousSpec = structuredClone(s.Spec)
      s.Spec = structuredClone(spec)
      s.Version.Index++
      clock++
      const startedAt = `2026-12-02T10:00:${String(clock).padStart(2, '0')}Z`
      progress.set(
        id,
        script.states.map((st) => ({ StartedAt: startedAt, ...st })),
      )
      // Tasks of this update are created after it started.
      if (script.tasks)
        s.tasks.push(...script.tasks.map((t) => ({ CreatedAt: startedAt.replace('Z', '.5Z'), ...t })))
      return []
    },
    listTasks: async (id) => structuredClone(services.get(id)?.tasks ?? []),
  }

  const idOf = (name: string) => [...services.values()].find((s) => s.Spec.Name === name)!.ID
  return {
    engine,
    calls,
    mutations,
    idOf,
    service: (name: string) => services.get(idOf(name))!,
    /** Scripts the cluster's answer to the next update of `name`. */
    script(name: string, s: Script) {
      const id = idOf(name)
      scripts.set(id, [...(scripts.get(id) ?? []), s])
    },
    /** Someone else changes the service (its version index moves on). */
    bump(name: string) {
      services.get(idOf(name))!.Version.Index++
    },
    listServicesCalls: () => listServicesCalls,
  }
}
