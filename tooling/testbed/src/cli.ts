/** `pnpm testbed up|down|status` (run through bin.mjs). */

import { downTestbed, ensureTestbed } from './_bed.ts'
import { engineEndpoint, ping } from './_engine.ts'
import { proxyAnswers } from './_proxy.ts'
import { registryAnswers } from './_registries.ts'
import { liveLeases, readIsolated, readState, stateDir } from './_state.ts'
import { ensureSwarm, readSwarms } from './_swarm.ts'
import { tlsPaths } from './_tls.ts'
import { tokenServerAnswers } from './_token.ts'
import { PROC, pidAlive } from './_util.ts'
import type { RegistryName } from './types.ts'

const USAGE = `usage: pnpm testbed <up|down|status|swarm>
  up      bring the bed up (or check it) and leave it running
  swarm   also bring up the two-node swarm (own network namespaces) and print its nodes
  down    stop everything the bed started (registries, token server, isolated engine, its dockerd)
  status  show what is up, without starting anything
env: WT_TESTBED_DIR (state folder, default /tmp/watchtower-ts-testbed)`

const log = (m: string) => process.stderr.write(`[testbed] ${m}\n`)

async function status(): Promise<number> {
  const dir = stateDir()
  const state = await readState(dir)
  const bed = state.bed
  const line = (what: string, ok: boolean, detail: string) =>
    console.log(`${ok ? 'up  ' : 'down'}  ${what.padEnd(22)} ${detail}`)
  console.log(`state: ${dir}`)
  const ep = bed ? { host: bed.docker.host, socketPath: bed.docker.socketPath } : engineEndpoint()
  line(
    'dockerd',
    await ping(ep),
    `${ep.host}${state.pids.dockerd ? ` (started by the bed, pid ${state.pids.dockerd})` : ''}`,
  )
  if (!bed) {
    console.log('the bed was never brought up here: pnpm testbed up')
    return 1
  }
  const tls = tlsPaths(dir)
  let all = true
  const tok =
    pidAlive(state.pids.tokenServer, PROC.tokenServer) &&
    (await tokenServerAnswers(bed.tokenServer, state.pids.tokenServer, tls))
  all &&= tok
  line('token server', tok, `${bed.tokenServer.url} (admin ${bed.tokenServer.adminUrl})`)
  for (const [name, info] of Object.entries(bed.registries)) {
    const ok =
      pidAlive(state.pids.registries[name as RegistryName], PROC.registry) &&
      (await registryAnswers(info, tls))
    all &&= ok
    line(`registry ${name}`, ok, `${info.url} (${info.auth})`)
  }
  if (bed.proxy) {
    const ok =
      pidAlive(state.pids.proxiedRegistry, PROC.registry) &&
      (await proxyAnswers(bed.proxy, state.pids.proxy, tls))
    all &&= ok
    line('proxy (tinyproxy)', ok, `${bed.proxy.url} → registry ${bed.proxy.registry.url}`)
  }
  for (const kind of ['20', '26'] as const) {
    const iso = await readIsolated(dir, kind)
    if (iso) {
      line(`isolated engine ${kind}`, pidAlive(iso.pid, PROC.dockerd), `${iso.host} (netns ${iso.netns})`)
      if (iso.tlsHost)
        line(
          `isolated engine ${kind} TLS`,
          (iso.forwardPids ?? []).length === 2 && iso.forwardPids.every((p) => pidAlive(p)),
          `${iso.tlsHost} → dockerd --tlsverify (byte forwarders)`,
        )
    }
  }
  for (const s of await readSwarms(dir))
    line(`swarm ${s.engine}`, await ping(s.manager), s.nodes.map((n) => `${n.role} ${n.host}`).join(', '))
  const leases = await liveLeases(dir)
  console.log(`runs using it: ${leases.length ? leases.join(', ') : 'none'}`)
  return all ? 0 : 1
}

export async function main(args: string[]): Promise<number> {
  switch (args[0]) {
    case 'up': {
      const started = Date.now()
      const bed = await ensureTestbed({ log })
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      for (const r of Object.values(bed.registries)) console.log(`${r.name.padEnd(10)} ${r.url}`)
      console.log(`token      ${bed.tokenServer.realm}`)
      console.log(`proxy      ${bed.proxy.url} (BasicAuth), registry ${bed.proxy.registry.url}`)
      console.log(`DOCKER_HOST=${bed.docker.host}`)
      console.log(`state      ${bed.dir}/state.json`)
      return 0
    }
    case 'swarm': {
      const started = Date.now()
      const bed = await ensureTestbed({ log })
      const swarm = await ensureSwarm(bed)
      log(`swarm ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      for (const n of swarm.nodes)
        console.log(`${n.role.padEnd(8)} DOCKER_HOST=${n.host} (netns ${n.netns}, ${n.address})`)
      return 0
    }
    case 'down':
      await downTestbed({ log })
      log('stopped')
      return 0
    case 'status':
      return status()
    default:
      console.error(USAGE)
      return args[0] === undefined || args[0] === 'help' || args[0] === '--help' ? 0 : 2
  }
}
