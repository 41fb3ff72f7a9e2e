import { createDockerEngine } from '@watchtower-ts/docker-updater'
import { afterAll, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { bed, build, cleanupPrefix, docker, run, uniqueName } from '../../test/e2e-bed.ts'
import { createLogger } from '../log.ts'
import { detectSelfContainerId, removeOtherInstances } from '../self-update.ts'

// The app's side of running in a container: finding its own container, and upstream's
// "one watchtower per scope" rule, which leaves the parties of a self-update alone.
const P = uniqueName('wt-app-e2e-self')
afterAll(() => cleanupPrefix(P))
const engine = () => createDockerEngine({ host: bed.docker.host, env: {} })
const logger = () => createLogger({ level: 'info', format: 'logfmt', noColor: true, stream: capture() })

describe('own container against the real engine', () => {
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

  it('removeOtherInstances leaves a self-update alone: its helper, the old container, the new one', async () => {
    const ref = `${P}-su:latest`
    await build(ref, 'v1')
    const wt = {
      'com.centurylinklabs.watchtower': 'true',
      'com.centurylinklabs.watchtower.scope': `${P}-su`,
    }
    const name = `${P}-su-wt`
    const newId = await run(name, ref, wt)
    const oldId = await run(`${P}-su-old`, ref, wt)
    await docker(['rename', oldId, `${name}.wt-old.${oldId.slice(0, 12)}.r`])
    await run(`${name}.wt-helper.${newId.slice(0, 12)}`, ref, {
      ...wt,
      'com.centurylinklabs.watchtower.self-update-helper': name,
    })
    // seen from the new instance, and from the old one (renamed aside, started again)
    expect(await removeOtherInstances(engine(), newId, `${P}-su`, logger())).toBe(0)
    expect(await removeOtherInstances(engine(), oldId, `${P}-su`, logger())).toBe(0)
    const left = (await docker(['ps', '-a', '--format', '{{.Names}}']))
      .split('\n')
      .filter((n) => n.startsWith(name))
    expect(left).toHaveLength(3)
  })
})
