/**
 * Request economy against the bed's REAL token registry: checking U distinct references of one
 * registry costs 1 ping + 1 token + U HEADs over reused connections. Counted from the token
 * server's log, the registry's own access log and undici's connection events — never from timing.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { pushImage, registryRequests, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterEach, expect, inject, it } from 'vitest'
import { aliceResolver, type BedClient, bedClient } from '../test/bed.ts'

const bed = inject('testbed')
let open: BedClient | undefined
afterEach(async () => {
  await open?.close()
  open = undefined
})

const U = 8
const CONCURRENCY = 4

it(`N=${2 * U} containers over U=${U} references on the token registry: 1 ping + 1 token + ${U} HEADs, connections reused`, async () => {
  const prefix = uniqueName('rc/econ')
  const pushed = []
  for (let i = 0; i < U; i++) {
    pushed.push(
      await pushImage(bed, { registry: 'token', variant: 'v1', repository: `${prefix}/r${i}`, tag: 'x' }),
    )
  }
  const refs = pushed.map((p) => p.ref)
  const local = pushed.map((p) => `${p.ref.replace(/:x$/, '')}@${p.digest}`)
  const userAgent = `wt-rc-${prefix.replace(/\//g, '-')}`
  const registryHost = bed.registries.token.host
  const tokenHost = new URL(bed.tokenServer.url).host

  const connections = new Map<string, number>()
  const onConnect = (message: unknown) => {
    const { host } = (message as { connectParams: { host: string } }).connectParams
    connections.set(host, (connections.get(host) ?? 0) + 1)
  }
  subscribe('undici:client:connected', onConnect)
  try {
    const tokensBefore = (await tokenLog(bed)).length
    open = await bedClient(bed, aliceResolver(bed), { userAgent, concurrencyPerHost: CONCURRENCY })
    const { client } = open

    // Cycle 1: everything cold.
    client.startCycle(refs)
    // N = 2U containers: every reference is used by two containers.
    const results = await Promise.all([...refs, ...refs].map((r) => client.check(r, local)))
    expect(results.map((r) => r.status)).toEqual(Array(2 * U).fill('fresh'))
    expect(client.stats().requests).toEqual({
      ping: 1,
      token: 1,
      manifestHead: U,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })

    const tokens = (await tokenLog(bed))
      .slice(tokensBefore)
      .filter((r) => r.scopes.some((s) => s.includes(prefix)))
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({ method: 'GET', account: 'alice', status: 200 })
    expect(tokens[0]!.scopes).toHaveLength(U)
    expect(tokens[0]!.granted).toHaveLength(U)

    const seen = (await registryRequests(bed, 'token')).filter((r) => r.userAgent === userAgent)
    expect(seen.filter((r) => r.path === '/v2/')).toEqual([
      expect.objectContaining({ method: 'GET', status: 401 }),
    ])
    const heads = seen.filter((r) => r.path !== '/v2/')
    expect(heads).toHaveLength(U)
    expect(heads.every((r) => r.method === 'HEAD' && r.status === 200)).toBe(true)

    const cycle1 = new Map(connections)
    expect(cycle1.get(tokenHost)).toBe(1)
    // Keep-alive: at most one connection per concurrent request, well under one per request.
    expect(cycle1.get(registryHost)).toBeLessThanOrEqual(CONCURRENCY)
    expect(cycle1.get(registryHost)).toBeLessThan(U + 1)

    // Cycle 2: the token is still cached, the connections are still open.
    client.startCycle(refs)
    await Promise.all([...refs, ...refs].map((r) => client.check(r, local)))
    expect(client.stats().requests).toEqual({
      ping: 2,
      token: 1,
      manifestHead: 2 * U,
      manifestGet: 0,
      tagsList: 0,
      blob: 0,
    })
    expect(client.stats().tokenCache).toMatchObject({ fetches: 1 })
    const newInCycle2 = (connections.get(registryHost) ?? 0) - (cycle1.get(registryHost) ?? 0)
    expect(connections.get(tokenHost)).toBe(1)
    expect(newInCycle2).toBe(0)
    const all = (await registryRequests(bed, 'token')).filter((r) => r.userAgent === userAgent)
    expect(all).toHaveLength(2 * (U + 1))

    console.info(
      `[registry-client economy] N=${2 * U} containers, U=${U}: cycle 1 = ${seen.length - heads.length} ping + ${tokens.length} token + ${heads.length} HEAD; ` +
        `connections: registry ${cycle1.get(registryHost)}, token server ${cycle1.get(tokenHost)}; ` +
        `cycle 2 = 1 ping + 0 token + ${U} HEAD, ${newInCycle2} new connection(s)`,
    )
  } finally {
    unsubscribe('undici:client:connected', onConnect)
  }
})
