/** Finds a Docker engine that answers, or starts dockerd (no bridge, no iptables). */

import { mkdir, readFile, rm } from 'node:fs/promises'
import { type RequestOptions, request } from 'node:http'
import { dirname, join } from 'node:path'
import { PROC, pidAlive, run, spawnDetached, TestbedError, waitFor } from './_util.ts'

export const DEFAULT_SOCKET = '/var/run/docker.sock'

export interface EngineEndpoint {
  host: string
  socketPath: string
}

/** The endpoint to use: DOCKER_HOST when set (unix:// or tcp://), else the default socket. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const host = env['DOCKER_HOST']?.trim()
  if (!host) return { host: `unix://${DEFAULT_SOCKET}`, socketPath: DEFAULT_SOCKET }
  if (host.startsWith('unix://')) return { host, socketPath: host.slice('unix://'.length) }
  return { host, socketPath: '' }
}

/** GET /_ping on the endpoint; true on `OK`. */
export function ping(ep: EngineEndpoint, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    let opts: RequestOptions
    if (ep.socketPath) opts = { socketPath: ep.socketPath, path: '/_ping', timeout: timeoutMs }
    else {
      const u = new URL(ep.host.replace(/^tcp:/, 'http:'))
      opts = { host: u.hostname, port: Number(u.port) || 2375, path: '/_ping', timeout: timeoutMs }
    }
    const req = request(opts, (res) => {
      let body = ''
      res.on('data', (d) => {
        body += d
      })
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'))
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

export async function apiVersion(ep: EngineEndpoint): Promise<string> {
  const r = await run('docker', ['version', '--format', '{{.Server.APIVersion}}'], {
    env: { ...process.env, DOCKER_HOST: ep.host },
  })
  const v = r.stdout.trim()
  if (r.code !== 0 || !v)
    throw new TestbedError('WT_TESTBED_ENGINE', `docker version on ${ep.host}: ${r.stderr.trim()}`)
  return v
}

export interface EngineResult extends EngineEndpoint {
  startedByBed: boolean
  pid?: number
}

/**
 * Uses the engine that answers; otherwise starts dockerd on the unix socket asked for, first
 * removing pid files left by a dead dockerd. On the default socket it is the machine's dockerd
 * (default data root); on another socket (DOCKER_HOST=unix:///…) it gets its own data and exec
 * roots and pid file under the state folder, beside any other engine.
 */
export async function ensureEngine(
  dir: string,
  previous: { pid?: number } | undefined,
  log: (m: string) => void,
): Promise<EngineResult> {
  const ep = engineEndpoint()
  const own = join(dir, 'dockerd')
  if (await ping(ep)) {
    let pid = previous?.pid && pidAlive(previous.pid, PROC.dockerd) ? previous.pid : undefined
    if (!pid && ep.socketPath && ep.socketPath !== DEFAULT_SOCKET) {
      // The state file was lost: a dockerd with our own pid file is still ours.
      const fromFile = Number((await readFile(join(own, 'docker.pid'), 'utf8').catch(() => '')).trim())
      if (pidAlive(fromFile, PROC.dockerd)) pid = fromFile
    }
    return { ...ep, startedByBed: pid !== undefined, pid }
  }
  if (!ep.socketPath) {
    throw new TestbedError(
      'WT_TESTBED_ENGINE',
      `DOCKER_HOST=${ep.host} does not answer; unset DOCKER_HOST to let the test bed start its own dockerd`,
    )
  }
  const isDefault = ep.socketPath === DEFAULT_SOCKET
  const pidFile = isDefault ? '/var/run/docker.pid' : join(own, 'docker.pid')
  const execRoot = isDefault ? '/var/run/docker' : join(own, 'exec')
  const args = ['--iptables=false', '--ip6tables=false', '--bridge=none']
  if (!isDefault) {
    await mkdir(join(own, 'data'), { recursive: true })
    await mkdir(dirname(ep.socketPath), { recursive: true })
    args.push(
      '--host',
      ep.host,
      '--data-root',
      join(own, 'data'),
      '--exec-root',
      execRoot,
      '--pidfile',
      pidFile,
    )
  }
  await clearStalePid(pidFile, ep.socketPath)
  await clearStalePid(join(execRoot, 'containerd', 'containerd.pid'), ep.socketPath)
  const logFile = join(dir, 'dockerd.log')
  log(`starting dockerd on ${ep.host} (log ${logFile})`)
  const pid = spawnDetached('dockerd', args, { logFile })
  await waitFor('dockerd', () => ping(ep), { timeoutMs: 60_000, logFile, alive: () => pidAlive(pid) })
  return { ...ep, startedByBed: true, pid }
}

/** Removes a pid file whose process is gone (a killed dockerd leaves one and the next refuses to start). */
async function clearStalePid(file: string, socketPath: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return
  const pid = Number(text.trim())
  if (pid && pidAlive(pid)) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')
    if (/dockerd|containerd/.test(comm)) {
      throw new TestbedError(
        'WT_TESTBED_ENGINE',
        `${comm.trim()} (pid ${pid}, ${file}) is running but no engine answers on ${socketPath}; stop it first`,
      )
    }
  }
  await rm(file, { force: true })
}
