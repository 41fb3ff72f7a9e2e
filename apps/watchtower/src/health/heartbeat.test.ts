import { describe, expect, it } from 'vitest'
import { assessHeartbeat, type Heartbeat, SESSION_LIMIT_MS, startHeartbeat } from './heartbeat.ts'

const T = Date.UTC(2026, 0, 1)
const beat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  version: 1,
  pid: 1,
  intervalMs: 10_000,
  startedAt: T - 120_000,
  writtenAt: T - 1000,
  engineOkAt: T - 1000,
  loopDeadline: T + 60_000,
  ...over,
})

describe('assessHeartbeat', () => {
  it('healthy when the engine answered lately and the loop is within its deadline', () => {
    expect(assessHeartbeat(beat(), T)).toEqual({ healthy: true, reason: 'ok' })
    expect(assessHeartbeat(beat({ loopDeadline: null }), T).healthy).toBe(true)
  })
  it('unhealthy without a heartbeat', () => {
    expect(assessHeartbeat(undefined, T)).toMatchObject({ healthy: false, reason: /no heartbeat yet/ })
  })
  it('unhealthy when the engine has not answered for three intervals, with the last error', () => {
    expect(assessHeartbeat(beat({ engineOkAt: T - 29_000 }), T).healthy).toBe(true)
    expect(
      assessHeartbeat(beat({ engineOkAt: T - 31_000, engineError: 'connect ENOENT /x.sock' }), T),
    ).toEqual({
      healthy: false,
      reason: 'the Docker engine has not answered for 31 s: connect ENOENT /x.sock',
    })
    expect(assessHeartbeat(beat({ engineOkAt: undefined, startedAt: T - 40_000 }), T)).toMatchObject({
      healthy: false,
      reason: /has not answered since start/,
    })
    // just started, no answer yet: not judged before three intervals
    expect(assessHeartbeat(beat({ engineOkAt: undefined, startedAt: T - 5000 }), T).healthy).toBe(true)
  })
  it('unhealthy when the heartbeat itself is old (the daemon is stuck) or the loop is past its deadline', () => {
    expect(assessHeartbeat(beat({ writtenAt: T - 31_000, engineOkAt: T - 1000 }), T)).toMatchObject({
      healthy: false,
      reason: /heartbeat is 31 s old/,
    })
    expect(assessHeartbeat(beat({ loopDeadline: T - 5000 }), T)).toEqual({
      healthy: false,
      reason: 'the schedule loop is stuck: it should have come round 5 s ago',
    })
  })
})

describe('startHeartbeat (in memory)', () => {
  it('follows pings, sleeps and sessions', async () => {
    let now = T
    let up = true
    const hb = startHeartbeat({
      file: '',
      intervalMs: 60_000,
      ping: async () => {
        if (!up) throw new Error('connect ECONNREFUSED')
      },
      now: () => now,
      pid: 1,
    })
    await new Promise((r) => setTimeout(r, 10))
    hb.sleeping(T + 3_600_000)
    expect(hb.health().healthy).toBe(true)
    now = T + 3_600_000 + 200_000
    expect(hb.health()).toMatchObject({ healthy: false })
    now = T
    hb.sessionStarted()
    now = T + SESSION_LIMIT_MS + 1000
    expect(hb.health().reason).toMatch(/schedule loop is stuck|engine/)
    hb.sessionEnded()
    up = false
    await hb.stop()
  })
})
