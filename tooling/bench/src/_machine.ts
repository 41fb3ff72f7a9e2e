/** The machine the figures came from. */
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os'
import type { Testbed } from '@watchtower-ts/testbed'
import { run } from './_proc.ts'

export interface Machine {
  date: string
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  kernel: string
  dockerEngine: string
  /** 1-minute load average when the bench started (others' work on the machine skews times). */
  loadAverage: number
}

export async function describeMachine(bed: Testbed): Promise<Machine> {
  const v = await run('docker', ['version', '--format', '{{.Server.Version}}'], {
    env: { ...process.env, DOCKER_HOST: bed.docker.host },
  })
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    dockerEngine:
      v.code === 0 ? `${v.stdout.trim()} (API ${bed.docker.apiVersion})` : `API ${bed.docker.apiVersion}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  }
}
