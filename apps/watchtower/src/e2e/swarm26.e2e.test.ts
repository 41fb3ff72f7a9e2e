/**
 * The swarm e2e tests (swarm.e2e.test.ts) once more, with both nodes on Docker Engine 26.1 (Debian
 * trixie's docker.io 26.1.5, API 1.45), so services are checked on the old and a modern engine.
 */
import { dockerCli, type SwarmEngineSpec, swarmCluster, swarmEngine26 } from '@watchtower-ts/testbed'
import { expect, inject, it } from 'vitest'

const bed = inject('testbed')
const engine: SwarmEngineSpec = await swarmEngine26(bed)
process.env['WT_E2E_SWARM_ENGINE'] = JSON.stringify(engine)
await import('./swarm.e2e.test.ts')

it('the nodes of this swarm run Docker Engine 26 (API 1.45)', async () => {
  const swarm = await swarmCluster(bed, { engine })
  for (const node of swarm.nodes) {
    const v = await dockerCli(bed, ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'], {
      host: node.host,
      reject: true,
    })
    expect(v.stdout.trim()).toMatch(/^26\.1\.\d+\S* 1\.45$/)
  }
})
