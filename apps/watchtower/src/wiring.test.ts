import { describe, expect, it } from 'vitest'
import { statusStep, toContainerReport, warnOnHeadFailure } from './wiring.ts'

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
