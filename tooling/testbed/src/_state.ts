/** The bed's JSON state file and the leases of the runs using it. */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROC, pidAlive } from './_util.ts'
import type { IsolatedEngine, RegistryName, Testbed } from './types.ts'

export interface BedState {
  version: 1
  bed?: Testbed
  pids: {
    dockerd?: number
    registries: Partial<Record<RegistryName, number>>
    tokenServer?: number
    proxy?: number
    proxiedRegistry?: number
  }
  ports: {
    registries: Partial<Record<RegistryName, number>>
    tokenServer?: number
    tokenAdmin?: number
    proxy?: number
    proxiedRegistry?: number
  }
}

/** Which isolated engine: Debian bookworm's docker.io 20.10, or trixie's 26.1. */
export type IsolatedKind = '20' | '26'

/** An isolated engine's own state file (written under its own lock by whichever worker starts it). */
export type IsolatedState = IsolatedEngine & {
  pid: number
  registryPid: number
  layout?: number
  /** The byte forwarders of `tlsHost`: in the namespace, on the host (absent in older states). */
  forwardPids: number[]
}

const isolatedFile = (dir: string, kind: IsolatedKind) =>
  join(dir, kind === '20' ? 'isolated.json' : `isolated-${kind}.json`)

export async function readIsolated(
  dir: string,
  kind: IsolatedKind = '20',
): Promise<IsolatedState | undefined> {
  try {
    return JSON.parse(await readFile(isolatedFile(dir, kind), 'utf8')) as IsolatedState
  } catch {
    return undefined
  }
}

export async function writeIsolated(
  dir: string,
  iso: IsolatedState | undefined,
  kind: IsolatedKind = '20',
): Promise<void> {
  if (!iso) return rm(isolatedFile(dir, kind), { force: true })
  const tmp = `${isolatedFile(dir, kind)}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(iso, null, 2)}\n`)
  await rename(tmp, isolatedFile(dir, kind))
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['WT_TESTBED_DIR'] || join(tmpdir(), 'watchtower-ts-testbed')
}

const stateFile = (dir: string) => join(dir, 'state.json')

export async function readState(dir: string): Promise<BedState> {
  try {
    const s = JSON.parse(await readFile(stateFile(dir), 'utf8')) as BedState
    if (s.version === 1 && s.pids && s.ports) return s
  } catch {}
  return { version: 1, pids: { registries: {} }, ports: { registries: {} } }
}

export async function writeState(dir: string, state: BedState): Promise<void> {
  const tmp = `${stateFile(dir)}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`)
  await rename(tmp, stateFile(dir))
}

const leaseDir = (dir: string) => join(dir, 'leases')

/** Marks `pid` as a run using the bed. */
export async function addLease(dir: string, pid = process.pid): Promise<void> {
  await mkdir(leaseDir(dir), { recursive: true })
  await writeFile(join(leaseDir(dir), String(pid)), new Date().toISOString())
}

export async function dropLease(dir: string, pid = process.pid): Promise<void> {
  await rm(join(leaseDir(dir), String(pid)), { force: true })
}

/** Pids of live runs holding a lease (dead ones are removed). */
export async function liveLeases(dir: string): Promise<number[]> {
  const names = await readdir(leaseDir(dir)).catch(() => [] as string[])
  const live: number[] = []
  for (const n of names) {
    const pid = Number(n)
    if (pidAlive(pid, PROC.run)) live.push(pid)
    else await rm(join(leaseDir(dir), n), { force: true })
  }
  return live
}
