import { describe, expect, it } from 'vitest'
import { capture } from '../test/cli-deps.ts'
import { fakeFleetEngine, watchtowerContainer } from '../test/fleet-fakes.ts'
import { resolveConfig } from './config/resolve.ts'
import { createLogger } from './log.ts'
import { eventLogger } from './session/pass-log.ts'
import { createSessionRunner, statusStep, toContainerReport, warnOnHeadFailure } from './wiring.ts'

describe('wiring helpers', () => {
  it('warn-on-head-failure: auto warns for Docker Hub and ghcr.io only', () => {
    expect(warnOnHeadFailure('auto', 'docker.io')).toBe(true)
    expect(warnOnHeadFailure('auto', 'ghcr.io')).toBe(true)
    expect(warnOnHeadFailure('auto', '127.0.0.1:5000')).toBe(false)
    expect(warnOnHeadFailure('always', '127.0.0.1:5000')).toBe(true)
    expect(warnOnHeadFailure('never', 'docker.io')).toBe(false)
  })
  it('maps docker-updater results onto report states (restarted counts as Fresh, rolled-back as Failed)', () => {
    const base = { id: 'c', name: 'web', image: 'r/web:1', oldImageId: 'sha256:a', warnings: [] }
    expect(toContainerReport({ ...base, state: 'updated', newImageId: 'sha256:b' })).toEqual({
      id: 'c',
      name: 'web',
      imageName: 'r/web:1',
      currentImageId: 'sha256:a',
      latestImageId: 'sha256:b',
      state: 'Updated',
    })
    expect(toContainerReport({ ...base, state: 'restarted' }).state).toBe('Fresh')
    expect(toContainerReport({ ...base, state: 'rolled-back', error: 'unhealthy' })).toMatchObject({
      state: 'Failed',
      error: 'unhealthy',
      latestImageId: 'sha256:a',
    })
  })
  it('the status page follows the progress events of one container; found-stale and pull bytes are no update step', () => {
    expect(statusStep({ type: 'pull', phase: 'begin', image: 'r/web:1', container: 'web' })).toEqual({
      container: 'web',
      step: 'pulling',
    })
    expect(
      statusStep({ type: 'stop', phase: 'begin', container: 'web', containerId: 'c', signal: 'SIGTERM' }),
    ).toEqual({
      container: 'web',
      step: 'stopping',
    })
    expect(
      statusStep({ type: 'healthy', container: 'web', containerId: 'd', health: 'healthy', durationMs: 5 }),
    ).toEqual({
      container: 'web',
      step: 'healthy',
    })
    expect(
      statusStep({
        type: 'rolled-back',
        container: 'web',
        containerId: 'd',
        reason: 'unhealthy',
        durationMs: 5,
      }),
    ).toEqual({ container: 'web', step: 'rolled back: unhealthy' })
    expect(
      statusStep({ type: 'found-stale', container: 'web', image: 'r/web:1', durationMs: 3 }),
    ).toBeUndefined()
    expect(
      statusStep({
        type: 'pull',
        phase: 'progress',
        image: 'r/web:1',
        currentBytes: 1,
        totalBytes: 2,
        durationMs: 1,
      }),
    ).toBeUndefined()
  })
})

describe('the status page in a fleet pass', () => {
  it("a container's update steps reach the status store with its engine", () => {
    const seen: string[] = []
    const observer = {
      registryEvent() {},
      checked() {},
      progress: (container: string, step: string, host?: string) => seen.push(`${host} ${container} ${step}`),
    }
    const log = createLogger({ level: 'error', format: 'json', noColor: true, stream: capture() })
    const onB = eventLogger(log, {}, observer, 'tcp://10.0.0.2:2376')
    onB({ type: 'stop', phase: 'begin', container: 'web', containerId: 'c', signal: 'SIGTERM' })
    onB({ type: 'step', step: 'rename', container: 'web' })
    eventLogger(log, {}, observer)({ type: 'pull', phase: 'begin', image: 'r/web:1', container: 'web' })
    expect(seen).toEqual([
      'tcp://10.0.0.2:2376 web stopping',
      'tcp://10.0.0.2:2376 web rename',
      'undefined web pulling',
    ])
  })
})

describe('self-update in a fleet', () => {
  it("the own container's engine, not the first one, settles self-updates and loses its other watchtower instances", async () => {
    const self = 'f'.repeat(64)
    // another host's watchtower on the first engine: not ours to remove
    const first = fakeFleetEngine('unix:///var/run/docker.sock', [
      watchtowerContainer('a'.repeat(64), 'watchtower'),
    ])
    const home = fakeFleetEngine('tcp://10.0.0.2:2376', [
      watchtowerContainer(self, 'watchtower'),
      watchtowerContainer('b'.repeat(64), 'watchtower-old'),
    ])
    const { config } = resolveConfig({
      argv: ['--host', first.host, '--host', home.host, '--no-startup-message'],
      env: {},
      hostname: 'h',
    })
    const out = capture()
    const log = createLogger({ level: 'debug', format: 'logfmt', noColor: true, stream: out })
    const runner = await createSessionRunner(
      config,
      { log, env: {} },
      { selfContainerId: self, engines: [first, home] },
    )
    try {
      await runner.startup?.()
      expect(home.calls).toContain(`removeContainer "${'b'.repeat(64)}" {"force":true}`)
      expect(first.calls.filter((c) => c.startsWith('removeContainer'))).toEqual([])
      expect(out.text).toContain(`msg="Own container ffffffffffff is on engine ${home.host}"`)
      // a pass settles on the home engine and reads the own service label there; both engines are scanned
      home.calls.length = 0
      first.calls.length = 0
      const report = await runner.run()
      expect(report.engines?.map((e) => [e.host, e.error])).toEqual([
        [first.host, undefined],
        [home.host, undefined],
      ])
      expect(home.calls.filter((c) => c === `inspectContainer "${self}"`).length).toBeGreaterThanOrEqual(2)
      expect(first.calls).not.toContain(`inspectContainer "${self}"`)
    } finally {
      await runner.close?.()
    }
  })
})
