/** Bring-up and teardown of the whole bed; every step checks health first and only fixes what is down. */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensurePackages } from './_apt.ts'
import { apiVersion, DEFAULT_SOCKET, ensureEngine } from './_engine.ts'
import { ensureImages } from './_images.ts'
import { stopIsolated } from './_isolated.ts'
import { stopNpmRegistry } from './_npm-registry.ts'
import { ensurePass } from './_pass.ts'
import {
  ensureHostsEntry,
  PROXY_PROC,
  proxyAnswers,
  proxyInfo,
  removeHostsEntry,
  startProxiedRegistry,
  startProxy,
} from './_proxy.ts'
import { CERTS_D, REGISTRY_NAMES, registryAnswers, startRegistry } from './_registries.ts'
import { stopSshd } from './_sshd.ts'
import { addLease, type BedState, dropLease, liveLeases, readState, stateDir, writeState } from './_state.ts'
import { stopSwarms, swarmRoot } from './_swarm.ts'
import { ensureTls, tlsUpToDate } from './_tls.ts'
import { startTokenServer, tokenServerAnswers } from './_token.ts'
import { USERS } from './_users.ts'
import { exists, findProcesses, PROC, pidAlive, run, stopPid, unmountUnder, withLock } from './_util.ts'
import type { RegistryInfo, RegistryName, Testbed } from './types.ts'

export interface EnsureOptions {
  /** State folder. @default env WT_TESTBED_DIR or /tmp/watchtower-ts-testbed */
  dir?: string
  /** Take a lease for this pid (a run using the bed) while holding the lock. */
  leasePid?: number
  log?: (msg: string) => void
}

/** Brings the bed up (or checks and reuses what is up) and returns it. Safe to call concurrently. */
export async function ensureTestbed(options: EnsureOptions = {}): Promise<Testbed> {
  const dir = options.dir ?? stateDir()
  const log = options.log ?? (() => {})
  await mkdir(dir, { recursive: true })
  return withLock(dir, 'bed', async () => {
    await ensurePackages(log)
    const state = await readState(dir)
    await stopOrphans(dir, state, log)
    const engine = await ensureEngine(dir, { pid: state.pids.dockerd }, log)
    state.pids.dockerd = engine.startedByBed ? engine.pid : undefined
    const api = await apiVersion(engine)

    const tlsFresh = !(await tlsUpToDate(dir))
    const tls = await ensureTls(dir)
    const users = { alice: USERS.alice.password, bob: USERS.bob.password }

    let token = state.bed?.tokenServer
    const tokenOk =
      !tlsFresh &&
      token &&
      pidAlive(state.pids.tokenServer, PROC.tokenServer) &&
      (await tokenServerAnswers(token, state.pids.tokenServer, tls))
    if (!tokenOk || !token) {
      await stopPid(state.pids.tokenServer, PROC.tokenServer)
      log('starting token server')
      const t = await startTokenServer(
        dir,
        { port: state.ports.tokenServer, adminPort: state.ports.tokenAdmin },
        tls,
        users,
      )
      token = t.info
      state.pids.tokenServer = t.pid
      state.ports.tokenServer = t.port
      state.ports.tokenAdmin = t.adminPort
    }
    const tokenInfo = token
    const realmChanged = state.bed?.tokenServer.realm !== tokenInfo.realm

    const registries = {} as Record<RegistryName, RegistryInfo>
    await Promise.all(
      REGISTRY_NAMES.map(async (name) => {
        const prev = state.bed?.registries[name]
        const pid = state.pids.registries[name]
        const reuse =
          prev &&
          !tlsFresh &&
          !(name === 'token' && realmChanged) &&
          pidAlive(pid, PROC.registry) &&
          (await registryAnswers(prev, tls))
        if (reuse && prev) {
          registries[name] = prev
          if (prev.tls && !(await exists(join(CERTS_D, prev.host, 'ca.crt')))) {
            await mkdir(join(CERTS_D, prev.host), { recursive: true })
            await copyFile(tls.caCert, join(CERTS_D, prev.host, 'ca.crt'))
          }
          return
        }
        await stopPid(pid, PROC.registry)
        log(`starting registry ${name}`)
        const r = await startRegistry(dir, name, state.ports.registries[name], tls, tokenInfo, users)
        registries[name] = r.info
        state.pids.registries[name] = r.pid
        state.ports.registries[name] = r.port
      }),
    )

    // The forward proxy and the registry reached by host name (proxy tests).
    await ensureHostsEntry()
    const prevProxy = state.bed?.proxy
    const proxyOk =
      prevProxy !== undefined &&
      !tlsFresh &&
      !realmChanged &&
      state.ports.proxy !== undefined &&
      state.ports.proxiedRegistry !== undefined &&
      pidAlive(state.pids.proxiedRegistry, PROC.registry) &&
      (await proxyAnswers(prevProxy, state.pids.proxy, tls))
    if (!proxyOk) {
      await stopPid(state.pids.proxy, PROXY_PROC)
      await stopPid(state.pids.proxiedRegistry, PROC.registry)
      log('starting tinyproxy and the proxied registry')
      const p = await startProxy(dir, state.ports.proxy)
      state.pids.proxy = p.pid
      state.ports.proxy = p.port
      const r = await startProxiedRegistry(dir, state.ports.proxiedRegistry, tls, tokenInfo)
      state.pids.proxiedRegistry = r.pid
      state.ports.proxiedRegistry = r.port
    }
    const proxy = proxyInfo(dir, state.ports.proxy!, state.ports.proxiedRegistry!, tokenInfo)
    const proxiedCertsD = join(CERTS_D, proxy.registry.host)
    if (!(await exists(join(proxiedCertsD, 'ca.crt'))) || !proxyOk) {
      await mkdir(proxiedCertsD, { recursive: true })
      await copyFile(tls.caCert, join(proxiedCertsD, 'ca.crt'))
    }

    const images = await ensureImages(engine.host, dir)
    const pass = await ensurePass(dir, state.bed?.pass)
    const dockerConfigDir = join(dir, 'docker-config')
    await mkdir(dockerConfigDir, { recursive: true })
    const auth = Buffer.from(`${USERS.alice.username}:${USERS.alice.password}`).toString('base64')
    await writeFile(
      join(dockerConfigDir, 'config.json'),
      JSON.stringify(
        { auths: { [registries.basic.host]: { auth }, [registries.token.host]: { auth } } },
        null,
        2,
      ),
      { mode: 0o600 },
    )

    const { signingCert: _s, signingKey: _k, ...tlsMaterial } = tls
    const bed: Testbed = {
      dir,
      docker: {
        host: engine.host,
        socketPath: engine.socketPath,
        startedByBed: engine.startedByBed,
        apiVersion: api,
      },
      registries,
      tokenServer: tokenInfo,
      users: USERS,
      tls: tlsMaterial,
      dockerConfigDir,
      images,
      pass,
      proxy,
    }
    state.bed = bed
    await writeState(dir, state)
    if (options.leasePid) await addLease(dir, options.leasePid)
    return bed
  })
}

/** Stops registries and token servers of this folder that the state file does not list (it was lost or reset). */
async function stopOrphans(dir: string, state: BedState, log: (m: string) => void): Promise<void> {
  const known = new Set([
    state.pids.tokenServer,
    state.pids.proxiedRegistry,
    state.pids.proxy,
    ...Object.values(state.pids.registries),
  ])
  const isolated = join(dir, 'isolated') // and isolated-26
  for (const pattern of [PROC.registry, PROC.tokenServer, PROXY_PROC]) {
    for (const pid of await findProcesses(`${dir}/`, pattern)) {
      if (known.has(pid)) continue
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (
        cmdline.includes(`${isolated}/`) ||
        cmdline.includes(`${isolated}-`) ||
        cmdline.includes(`${swarmRoot(dir)}/`)
      )
        continue
      const what =
        pattern === PROC.registry ? 'registry' : pattern === PROXY_PROC ? 'tinyproxy' : 'token server'
      log(`stopping orphaned ${what} (pid ${pid})`)
      await stopPid(pid, pattern)
    }
  }
}

/** Stops every process the bed started (registries, token server, isolated engine, dockerd if ours). */
export async function stopEverything(dir: string, state: BedState, log: (m: string) => void): Promise<void> {
  await stopSshd(dir)
  await stopIsolated(dir)
  await stopSwarms(dir)
  await stopNpmRegistry(dir)
  await Promise.all([
    stopPid(state.pids.tokenServer, PROC.tokenServer),
    stopPid(state.pids.proxy, PROXY_PROC),
    stopPid(state.pids.proxiedRegistry, PROC.registry),
    ...Object.values(state.pids.registries).map((p) => stopPid(p, PROC.registry)),
  ])
  await removeHostsEntry()
  // The engine trusts the TLS registries through /etc/docker/certs.d/HOST:PORT: gone with them.
  // (the proxied registry's folder too: registry.wt-proxy.test:PORT)
  const proxied = state.bed?.proxy?.registry.host
  await Promise.all(
    [
      ...Object.values(state.bed?.registries ?? {})
        .filter((r) => r.tls)
        .map((r) => r.host),
      ...(proxied ? [proxied] : []),
    ].map((host) => rm(join(CERTS_D, host), { recursive: true, force: true })),
  )
  state.pids.tokenServer = undefined
  state.pids.proxy = undefined
  state.pids.proxiedRegistry = undefined
  state.pids.registries = {}
  if (state.bed?.pass)
    await run('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...state.bed.pass.env } })
  if (state.pids.dockerd && pidAlive(state.pids.dockerd, PROC.dockerd)) {
    log('stopping dockerd')
    await stopPid(state.pids.dockerd, PROC.dockerd, 60_000)
    // An own-socket dockerd's roots live under the state folder (never touch the machine's /var/lib/docker).
    if (state.bed && state.bed.docker.socketPath !== DEFAULT_SOCKET) await unmountUnder(join(dir, 'dockerd'))
  }
  state.pids.dockerd = undefined
  await writeState(dir, state)
}

/**
 * End of a run: drops this run's lease; stops the bed unless `keep` or another live run still
 * holds a lease.
 */
export async function releaseTestbed(
  options: { dir?: string; leasePid?: number; keep?: boolean; log?: (m: string) => void } = {},
): Promise<'kept' | 'in-use' | 'stopped'> {
  const dir = options.dir ?? stateDir()
  return withLock(dir, 'bed', async () => {
    await dropLease(dir, options.leasePid ?? process.pid)
    if (options.keep) return 'kept'
    if ((await liveLeases(dir)).length > 0) return 'in-use'
    await stopEverything(dir, await readState(dir), options.log ?? (() => {}))
    return 'stopped'
  })
}

/** `pnpm testbed down`: stops everything regardless of leases. */
export async function downTestbed(options: { dir?: string; log?: (m: string) => void } = {}): Promise<void> {
  const dir = options.dir ?? stateDir()
  await withLock(dir, 'bed', async () => stopEverything(dir, await readState(dir), options.log ?? (() => {})))
}
