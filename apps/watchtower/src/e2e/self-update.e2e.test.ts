import { createDockerEngine } from '@watchtower-ts/docker-updater'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../log.ts'
import { detectSelfContainerId, removeOtherInstances, runOrchestrator } from '../self-update.ts'
import { capture } from '../test-utils.ts'
import { bed, build, cleanupPrefix, docker, imageOf, run, uniqueName } from './_bed.ts'

const P = uniqueName('wt-app-e2e-self')
afterAll(() => cleanupPrefix(P))
const engine = () => createDockerEngine({ host: bed.docker.host, env: {} })
const logger = () => createLogger({ level: 'info', format: 'logfmt', noColor: true, stream: capture() })

describe('self-update pieces against the real engine', () => {
  it('detects the container id from the /etc/hostname bind mount only', () => {
    const id = 'a'.repeat(64)
    const other = 'b'.repeat(64)
    const info = [
      `100 90 0:50 /var/lib/docker/containers/${other}/mounts/shm /var/lib/docker/containers/${other}/mounts/shm rw - tmpfs shm rw`,
      `101 90 8:1 /var/lib/docker/containers/${id}/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw`,
    ].join('\n')
    expect(detectSelfContainerId(info)).toBe(id)
    expect(detectSelfContainerId(info.split('\n')[0]!)).toBeUndefined()
  })

  it('the orchestrator replaces a container with its new image under the same name, leaving no orphan', async () => {
    const ref = `${P}-img:latest`
    const v1 = await build(ref, 'v1')
    const name = `${P}-wt`
    const oldId = await run(name, ref, {
      'com.centurylinklabs.watchtower': 'true',
      'com.centurylinklabs.watchtower.scope': P,
    })
    const v2 = await build(ref, 'v2')
    await runOrchestrator(engine(), oldId, logger(), {
      stopTimeoutMs: 10_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    })
    expect(await imageOf(name)).toBe(v2)
    expect(
      await docker([
        'inspect',
        '--format',
        '{{.State.Running}} {{index .Config.Labels "com.centurylinklabs.watchtower.scope"}}',
        name,
      ]),
    ).toBe(`true ${P}`)
    expect(await docker(['ps', '-a', '--filter', `ancestor=${v1}`, '--format', '{{.Names}}'])).toBe('')
  })

  it('the orchestrator rolls back when the new container cannot start', async () => {
    const ref = `${P}-bad:latest`
    await build(ref, 'v1')
    const name = `${P}-bad`
    const oldId = await run(name, ref)
    await build(ref, 'v2', ['CMD ["/nonexistent-binary"]'])
    await expect(
      runOrchestrator(engine(), oldId, logger(), {
        stopTimeoutMs: 10_000,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      }),
    ).rejects.toThrow()
    expect(await docker(['inspect', '--format', '{{.Id}} {{.State.Running}}', name])).toBe(`${oldId} true`)
  })

  it('removeOtherInstances removes other watchtower containers of the same scope only', async () => {
    const ref = `${P}-inst:latest`
    await build(ref, 'v1')
    const wt = {
      'com.centurylinklabs.watchtower': 'true',
      'com.centurylinklabs.watchtower.scope': `${P}-inst`,
    }
    const self = await run(`${P}-inst-self`, ref, wt)
    await run(`${P}-inst-other`, ref, wt)
    await run(`${P}-inst-otherscope`, ref, { ...wt, 'com.centurylinklabs.watchtower.scope': `${P}-else` })
    await run(`${P}-inst-plain`, ref)
    // A task of a watchtower-ts swarm service (start-first: old and new run at once) is the cluster's.
    await run(`${P}-inst-task`, ref, {
      ...wt,
      'com.docker.swarm.task.id': 'x',
      'com.docker.swarm.service.name': 'wt',
    })
    expect(await removeOtherInstances(engine(), self, `${P}-inst`, logger())).toBe(1)
    const left = (await docker(['ps', '-a', '--format', '{{.Names}}']))
      .split('\n')
      .filter((n) => n.startsWith(`${P}-inst`))
    expect(left.sort()).toEqual([
      `${P}-inst-otherscope`,
      `${P}-inst-plain`,
      `${P}-inst-self`,
      `${P}-inst-task`,
    ])
  })
})
