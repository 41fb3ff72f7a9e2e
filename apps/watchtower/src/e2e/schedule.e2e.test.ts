import { afterAll, describe, expect, it } from 'vitest'
import { bed, cleanupPrefix, imageOf, publish, run, uniqueName, watchtower } from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-sched')
afterAll(() => cleanupPrefix(P))

describe('--schedule on the real engine (robfig/cron v1.2.0 semantics)', () => {
  it('an N/step spec ("0/2 * * * * *", refused by croner) runs the daemon on its ticks', async () => {
    const { ref } = await publish('open', P, 'v1')
    const name = `${P}-web`
    await run(name, ref)
    const { id: v2 } = await publish('open', P, 'v2')

    const ticks: number[] = []
    let stop: ((s: string) => void) | undefined
    const r = await watchtower(['--schedule', '0/2 * * * * *', name], {
      env: {
        PATH: process.env.PATH,
        DOCKER_HOST: bed.docker.host,
        DOCKER_CONFIG: bed.dockerConfigDir,
        TZ: 'America/New_York',
      },
      onShutdown: (h) => {
        stop = h
        return () => {}
      },
      idle: () => {
        ticks.push(Date.now())
        if (ticks.length === 2) stop!('SIGTERM')
      },
    })
    expect(r.code).toBe(0)
    // the first run is announced on an even second (0/2 = 0-59/2)
    const first = /Scheduling first run: ([^"\s]+)/.exec(r.stderr)?.[1]
    expect(first).toMatch(/T\d\d:\d\d:\d[02468]\.000Z$/)
    expect(r.stderr.match(/Session done/g)).toHaveLength(2)
    expect(await imageOf(name)).toBe(v2)
  })
})
