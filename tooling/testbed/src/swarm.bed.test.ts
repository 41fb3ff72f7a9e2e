import { describe, expect, inject, it } from 'vitest'
import { run } from './_util.ts'
import { dockerCli, pushImage, swarmCluster, uniqueName } from './index.ts'

const bed = inject('testbed')

describe('swarm', () => {
  it('two engines in their own namespaces form one swarm; reused while healthy; its addresses stay inside', async () => {
    const swarm = await swarmCluster(bed)
    const started = Date.now()
    expect(await swarmCluster(bed)).toEqual(swarm)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(swarm.nodes.map((n) => [n.role, n.address])).toEqual([
      ['manager', '198.18.213.1'],
      ['worker', '198.18.213.2'],
    ])
    const nodes = await dockerCli(bed, ['node', 'ls', '--format', '{{.Status}} {{.ManagerStatus}}'], {
      host: swarm.manager.host,
      reject: true,
    })
    // a worker's line ends in a space (no manager status): trim each line, whatever order `node ls` gives
    expect(
      nodes.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .sort(),
    ).toEqual(['Ready', 'Ready Leader'])
    // Nothing of the swarm's link exists in the host namespace.
    expect((await run('ip', ['-o', 'addr'])).stdout).not.toContain('198.18.213.')
    expect((await run('ip', ['-o', 'link'])).stdout).not.toContain('wtswarm')
  })

  it('both nodes pull a private image (token registry) through their own registry copies', async () => {
    const swarm = await swarmCluster(bed)
    const repository = uniqueName('alice/swarm-bed')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: 'x' })
    for (const node of swarm.nodes) {
      await dockerCli(bed, ['pull', pushed.ref], { host: node.host, reject: true })
      const out = await dockerCli(bed, ['run', '--rm', '--network', 'none', pushed.ref, 'cat', '/version'], {
        host: node.host,
        reject: true,
      })
      expect(out.stdout.trim()).toBe('v2')
    }
  })
})
