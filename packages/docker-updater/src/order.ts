import type { ContainerInspect } from './engine.ts'
import { UpdaterError } from './errors.ts'
import { LABELS, labelOf } from './labels.ts'

const bare = (name: string): string => name.replace(/^\//, '')

/**
 * Names (without `/`) of the containers `container` depends on: Docker links, the
 * `container:` network mode, the watchtower `depends-on` label and compose's `depends_on`
 * label (services of the same compose project). `idToName` resolves ids to names.
 * With `forRestart`, compose dependencies count only when they ask for it (`restart: true`),
 * as `docker compose` does; they always count for ordering.
 */
export function dependenciesOf(
  container: ContainerInspect,
  all: readonly ContainerInspect[],
  idToName: (id: string) => string | undefined,
  options: { forRestart?: boolean } = {},
): string[] {
  const deps = new Set<string>()
  for (const link of container.HostConfig.Links ?? []) {
    const target = link.split(':')[0]
    if (target) deps.add(bare(target))
  }
  const mode = container.HostConfig.NetworkMode ?? ''
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length)
    deps.add(bare(idToName(ref) ?? ref))
  }
  const labels = container.Config.Labels
  for (const name of (labelOf(labels, LABELS.dependsOn) ?? '').split(',')) {
    if (name.trim() !== '') deps.add(bare(name.trim()))
  }
  const compose = labelOf(labels, LABELS.composeDependsOn)
  const project = labelOf(labels, LABELS.composeProject)
  if (compose && project) {
    for (const service of composeServices(compose, options.forRestart)) {
      for (const other of all) {
        const l = other.Config.Labels
        if (labelOf(l, LABELS.composeProject) === project && labelOf(l, LABELS.composeService) === service) {
          deps.add(bare(other.Name))
        }
      }
    }
  }
  deps.delete(bare(container.Name))
  return [...deps].sort()
}

/**
 * Service names of compose's `depends_on` label: `svc:condition:restart,...` or a JSON map
 * (`{"svc":{"condition":…,"restart":true}}`). `restartOnly` keeps those with restart true.
 */
export function composeServices(value: string, restartOnly = false): string[] {
  const trimmed = value.trim()
  if (trimmed.startsWith('{')) {
    try {
      const map = JSON.parse(trimmed) as Record<string, { restart?: unknown } | null>
      return Object.keys(map).filter((k) => !restartOnly || map[k]?.restart === true)
    } catch {
      return []
    }
  }
  return trimmed
    .split(',')
    .map((entry) => entry.split(':').map((p) => p.trim()))
    .filter((parts) => parts[0] && (!restartOnly || parts[2] === 'true'))
    .map((parts) => parts[0] as string)
}

/**
 * Depth-first topological order, dependencies first (ties by name). Dependencies outside
 * `containers` are ignored. A cycle throws WT_UPDATER_DEPENDENCY_CYCLE naming its members.
 */
export function sortByDependencies(
  containers: readonly ContainerInspect[],
  depsOf: (c: ContainerInspect) => readonly string[],
): ContainerInspect[] {
  const byName = new Map(containers.map((c) => [bare(c.Name), c]))
  const done = new Set<string>()
  const onPath: string[] = []
  const out: ContainerInspect[] = []
  const visit = (c: ContainerInspect): void => {
    const name = bare(c.Name)
    if (done.has(name)) return
    const at = onPath.indexOf(name)
    if (at >= 0) {
      const members = onPath.slice(at)
      throw new UpdaterError(
        'WT_UPDATER_DEPENDENCY_CYCLE',
        `dependency cycle between containers: ${[...members, name].join(' → ')}`,
        { members },
      )
    }
    onPath.push(name)
    for (const dep of depsOf(c)) {
      const d = byName.get(dep)
      if (d) visit(d)
    }
    onPath.pop()
    done.add(name)
    out.push(c)
  }
  for (const c of [...containers].sort((a, b) => a.Name.localeCompare(b.Name))) visit(c)
  return out
}
