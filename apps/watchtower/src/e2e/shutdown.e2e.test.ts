import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  build,
  cleanupPrefix,
  docker,
  imageOf,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-term')
afterAll(() => cleanupPrefix(P))

describe('SIGTERM during a swap', () => {
  it('finishes the swap in progress, starts nothing else, exits 0', async () => {
    // `sleep` as PID 1 ignores SIGTERM: the stop waits the whole --stop-timeout, a window to signal in.
    const ref = `${bed.registries.open.host}/${P}:latest`
    await build(ref, 'v1', ['CMD ["sleep", "1000"]'])
    await docker(['push', ref])
    const name = `${P}-slow`
    await run(name, ref)
    const v2 = await build(ref, 'v2', ['CMD ["sleep", "1000"]'])
    await docker(['push', ref])
    let stop: ((s: string) => void) | undefined
    const done = watchtower(['--interval', '1', '--stop-timeout', '4s', name], {
      onShutdown: (h) => {
        stop = h
        return () => {}
      },
    })
    // wait until the old container is set aside (the swap has begun), then send SIGTERM
    const deadline = Date.now() + 60_000
    for (;;) {
      const names = await docker(['ps', '-a', '--format', '{{.Names}}'])
      if (names.split('\n').some((n) => n.startsWith(`${name}.wt-old.`))) break
      if (Date.now() > deadline) throw new Error('the swap never started')
      await new Promise((r) => setTimeout(r, 100))
    }
    stop!('SIGTERM')
    const r = await done
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Got SIGTERM: finishing the update in progress')
    expect(await imageOf(name)).toBe(v2)
    expect(await docker(['inspect', '--format', '{{.State.Running}}', name])).toBe('true')
    const left = (await docker(['ps', '-a', '--format', '{{.Names}}']))
      .split('\n')
      .filter((n) => n.startsWith(name))
    expect(left).toEqual([name])
    expect(r.stderr.match(/Session done/g)).toHaveLength(1)
  })
})
