// Engines of a fleet for unit tests of the wiring: each answers from a fixed container list and
// logs every call. Only what the runner asks for outside a container update is answered.

import type { ContainerSummary, DockerEngine } from '@watchtower-ts/docker-updater'
import type { EngineTarget } from '../src/session/engines.ts'

export interface FakeFleetEngine extends EngineTarget {
  calls: string[]
}

/** A watchtower container (the label upstream looks for) named `name` with id `id`. */
export const watchtowerContainer = (id: string, name: string): ContainerSummary => ({
  Id: id,
  Names: [`/${name}`],
  State: 'running',
  Labels: { 'com.centurylinklabs.watchtower': 'true' },
})

/** An engine named `host` that holds `containers`; `down` makes every call fail as an unreachable engine. */
export function fakeFleetEngine(
  host: string,
  containers: ContainerSummary[],
  options: { down?: boolean } = {},
): FakeFleetEngine {
  const calls: string[] = []
  const fail = () =>
    Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: 'ECONNREFUSED' }))
  const answers: Partial<Record<keyof DockerEngine, (...args: never[]) => Promise<unknown>>> = {
    version: async () => ({ ApiVersion: '1.41', Version: '20.10.24' }),
    apiVersion: async () => '1.41',
    swarmInfo: async () => ({ LocalNodeState: 'inactive', ControlAvailable: false }),
    listContainers: async () => containers,
    inspectContainer: async (id: string) => {
      const c = containers.find((x) => x.Id === id)
      if (!c) throw Object.assign(new Error(`No such container: ${id}`), { statusCode: 404 })
      return {
        Id: c.Id,
        Name: c.Names[0],
        Image: `sha256:${'e'.repeat(64)}`,
        State: { Status: 'running', Running: true },
        Config: { Image: 'watchtower-ts:latest', Labels: c.Labels },
        HostConfig: {},
        NetworkSettings: { Networks: {} },
      }
    },
    removeContainer: async () => undefined,
  }
  const engine = new Proxy({} as DockerEngine, {
    get(_, method: string) {
      if (method === 'then') return undefined
      return (...args: unknown[]) => {
        calls.push(`${method}${args.length ? ` ${args.map((a) => JSON.stringify(a)).join(' ')}` : ''}`)
        if (options.down) return fail()
        const answer = answers[method as keyof DockerEngine]
        return answer ? answer(...(args as never[])) : Promise.resolve(undefined)
      }
    },
  })
  return { host, engine, calls }
}
