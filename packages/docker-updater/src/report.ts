import type {
  ContainerReport,
  ContainerStatus,
  RecoveryReport,
  SwarmPassInfo,
  UpdateReport,
} from './types.ts'

const STATES: ContainerStatus[] = [
  'scanned',
  'updated',
  'failed',
  'skipped',
  'stale',
  'fresh',
  'restarted',
  'rolled-back',
]

/** Final report: containers sorted by name, counts per state, `scanned` = all not skipped. */
export function buildReport(
  containers: ContainerReport[],
  recovered: RecoveryReport[],
  swarm: SwarmPassInfo = { role: 'none', taskContainers: 0, services: 0 },
): UpdateReport {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ContainerStatus, number>
  for (const c of containers) {
    counts[c.state]++
    if (c.state !== 'skipped') counts.scanned++
  }
  return {
    containers: [...containers].sort((a, b) => a.name.localeCompare(b.name)),
    counts,
    recovered,
    swarm,
  }
}
