import { describe, expect, it } from 'vitest'
import { testDeps } from '../../test/cli-deps.ts'
import { main } from '../index.ts'
import {
  buildReport,
  type ContainerReport,
  type SessionRequest,
  type SessionRunner,
} from '../session/types.ts'

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0)
const c = (name: string, state: ContainerReport['state'], error?: string): ContainerReport => ({
  id: `id-${name}`,
  name: `/${name}`,
  imageName: `127.0.0.1:5000/${name}:latest`,
  currentImageId: 'sha256:aaaaaaaaaaaaaaaa',
  latestImageId: state === 'Updated' ? 'sha256:bbbbbbbbbbbbbbbb' : 'sha256:aaaaaaaaaaaaaaaa',
  state,
  ...(error ? { error } : {}),
})

/** A fake clock whose sleep advances time; a runner that records when it ran. */
function harness(states: ContainerReport[][] = [[c('web', 'Fresh')]], opts: { stopAfter?: number } = {}) {
  let now = T0
  const runs: { at: number; request: SessionRequest | undefined }[] = []
  let shutdown: ((sig: string) => void) | undefined
  const runner: SessionRunner = {
    async run(request) {
      runs.push({ at: now, request })
      const entries = states[Math.min(runs.length - 1, states.length - 1)]!
      if (opts.stopAfter !== undefined && runs.length >= opts.stopAfter) shutdown?.('SIGTERM')
      return buildReport(entries)
    },
  }
  const deps = testDeps({
    now: () => now,
    sleep: async (ms, signal) => {
      if (!signal?.aborted) now += ms
    },
    onShutdown: (h) => {
      shutdown = h
      return () => {
        shutdown = undefined
      }
    },
    createRunner: async () => runner,
  })
  return {
    deps,
    runs,
    shutdown: (s = 'SIGTERM') => shutdown?.(s),
    clock: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

describe('run-once', () => {
  it('runs one session and exits 0', async () => {
    const h = harness()
    expect(await main(['--run-once'], h.deps)).toBe(0)
    expect(h.runs).toHaveLength(1)
  })
  it('exits 1 when an update failed', async () => {
    const h = harness([[c('web', 'Failed', 'start failed')]])
    expect(await main(['--run-once'], h.deps)).toBe(1)
  })
  it('exits 1 when the session itself fails', async () => {
    const h = harness()
    h.deps.createRunner = async () => ({
      run: async () => {
        throw new Error('engine down')
      },
    })
    expect(await main(['--run-once'], h.deps)).toBe(1)
    expect(h.deps.stderr.text).toContain('engine down')
  })
  it('--porcelain v1 prints only the summary on stdout (no startup message)', async () => {
    const h = harness([[c('web', 'Updated'), c('db', 'Fresh')]])
    expect(await main(['--run-once', '--porcelain', 'v1'], h.deps)).toBe(0)
    expect(h.deps.stdout.text).toBe(
      'web (127.0.0.1:5000/web:latest): Updated\ndb (127.0.0.1:5000/db:latest): Fresh\n',
    )
  })
  it('sends a startup message unless --no-startup-message', async () => {
    const h = harness()
    await main(['--run-once', '--notification-url', 'logger://', '--notification-log-stdout'], h.deps)
    expect(h.deps.stdout.text).toContain(
      'Watchtower 9.9.9\nUsing notifications: logger\nChecking all containers',
    )
    const h2 = harness()
    await main(
      ['--run-once', '--no-startup-message', '--notification-url', 'logger://', '--notification-log-stdout'],
      h2.deps,
    )
    expect(h2.deps.stdout.text).not.toContain('Watchtower 9.9.9')
  })
  it('legacy notification secrets never reach the log, even at trace with a failing send', async () => {
    const h = harness([[c('web', 'Updated')]])
    h.deps.notificationEndpoints = { slack: 'http://127.0.0.1:9' }
    const secret = 'S3CRETs3cretS3CRETs3cret'
    await main(
      [
        '--run-once',
        '--trace',
        '-n',
        'slack',
        '--notification-slack-hook-url',
        `https://hooks.slack.com/services/T1/B2/${secret}`,
      ],
      h.deps,
    )
    expect(h.deps.stderr.text).toContain('failed to send a notification via slack')
    expect(h.deps.stderr.text).not.toContain(secret)
    expect(h.deps.stdout.text).not.toContain(secret)
  })
  it('legacy mode notifies the session log lines', async () => {
    const h = harness([[c('web', 'Updated')]])
    await main(
      ['--run-once', '--no-startup-message', '--notification-url', 'logger://', '--notification-log-stdout'],
      h.deps,
    )
    expect(h.deps.stdout.text).toBe('Session done\n')
  })
})

describe('schedule', () => {
  it('--interval: sessions every N seconds; SIGTERM exits 0', async () => {
    const h = harness(undefined, { stopAfter: 3 })
    expect(await main(['--interval', '30'], h.deps)).toBe(0)
    expect(h.runs.map((r) => (r.at - T0) / 1000)).toEqual([30, 60, 90])
    expect(h.deps.stderr.text).toContain('Note that the first check will be performed in 30 seconds')
  })
  it('calls deps.idle after every session, failed ones too', async () => {
    const h = harness(undefined, { stopAfter: 2 })
    let idle = 0
    h.deps.idle = () => {
      idle++
    }
    expect(await main(['--interval', '30'], h.deps)).toBe(0)
    expect(idle).toBe(2)
    h.deps.createRunner = async () => ({
      run: async () => {
        throw new Error('engine down')
      },
    })
    expect(await main(['--run-once'], h.deps)).toBe(1)
    expect(idle).toBe(3)
  })
  it('--schedule: 6-field cron with seconds', async () => {
    const h = harness(undefined, { stopAfter: 3 })
    expect(await main(['--schedule', '*/20 * * * * *', '--log-level', 'error'], h.deps)).toBe(0)
    expect(h.runs.map((r) => (r.at - T0) / 1000)).toEqual([20, 40, 60])
  })
  it('--schedule @every and @daily, TZ honoured', async () => {
    const h = harness(undefined, { stopAfter: 2 })
    await main(['--schedule', '@every 1h30m'], h.deps)
    expect(h.runs.map((r) => (r.at - T0) / 60_000)).toEqual([90, 180])
    const d = harness(undefined, { stopAfter: 1 })
    d.deps.env = { TZ: 'Asia/Tokyo' }
    await main(['--schedule', '@daily'], d.deps)
    // midnight in Tokyo is 15:00 UTC
    expect(new Date(d.runs[0]!.at).toISOString()).toBe('2026-01-01T15:00:00.000Z')
  })
  it('--schedule "0 0/30 * * * *" (N/step) runs on the hour and the half hour', async () => {
    const h = harness(undefined, { stopAfter: 3 })
    h.advance(10 * 60_000) // 00:10
    await main(['--schedule', '0 0/30 * * * *', '--log-level', 'error'], h.deps)
    expect(h.runs.map((r) => new Date(r.at).toISOString().slice(11, 16))).toEqual(['00:30', '01:00', '01:30'])
  })
  it('the next run is taken from the tick, not from the end of the session (robfig/cron)', async () => {
    // @every 5m with 3-minute sessions: at 5, 10, 15 minutes, not 5, 13, 21
    const h = harness(undefined, { stopAfter: 3 })
    const inner = h.deps.createRunner!
    h.deps.createRunner = async (...a) => {
      const r = await inner(...a)
      return {
        run: async (req) => {
          const out = await r.run(req)
          h.advance(3 * 60_000)
          return out
        },
      }
    }
    await main(['--schedule', '@every 5m', '--log-level', 'error'], h.deps)
    expect(h.runs.map((r) => (r.at - T0) / 60_000)).toEqual([5, 10, 15])
  })
  it('ticks that come while a longer session runs are skipped, as upstream skips them', async () => {
    // @every 5m with 7-minute sessions: 5 runs (to 12), 10 is skipped, 15 runs (to 22), 20 skipped, 25 runs
    const h = harness(undefined, { stopAfter: 3 })
    const inner = h.deps.createRunner!
    h.deps.createRunner = async (...a) => {
      const r = await inner(...a)
      return {
        run: async (req) => {
          const out = await r.run(req)
          h.advance(7 * 60_000)
          return out
        },
      }
    }
    await main(['--schedule', '@every 5m', '--debug'], h.deps)
    expect(h.runs.map((r) => (r.at - T0) / 60_000)).toEqual([5, 15, 25])
    const skipped = `${h.deps.stdout.text}${h.deps.stderr.text}`.match(/Skipped a scheduled update/g) ?? []
    expect(skipped).toHaveLength(2)
  })
  it('@yearly: long waits are slept in chunks (no timer overflow)', async () => {
    const h = harness(undefined, { stopAfter: 1 })
    let sleeps = 0
    const inner = h.deps.sleep
    h.deps.sleep = async (ms, signal) => {
      sleeps++
      expect(ms).toBeLessThanOrEqual(3_600_000)
      await inner(ms, signal)
    }
    await main(['--schedule', '@yearly'], h.deps)
    expect(new Date(h.runs[0]!.at).toISOString()).toBe('2027-01-01T00:00:00.000Z')
    expect(sleeps).toBe(8760)
  })
  it('--update-on-start runs at once, then on schedule', async () => {
    const h = harness(undefined, { stopAfter: 2 })
    await main(['--update-on-start', '-i', '60'], h.deps)
    expect(h.runs.map((r) => (r.at - T0) / 1000)).toEqual([0, 60])
  })
  it('SIGTERM during a session lets it finish, starts no other, exits 0', async () => {
    const h = harness()
    let finished = false
    h.deps.createRunner = async () => ({
      async run() {
        h.shutdown('SIGTERM')
        await new Promise((r) => setTimeout(r, 20))
        finished = true
        return buildReport([c('web', 'Updated')])
      },
    })
    expect(await main(['-i', '10'], h.deps)).toBe(0)
    expect(finished).toBe(true)
    expect(h.deps.stderr.text).toContain('Got SIGTERM: finishing the update in progress')
  })
})

describe('HTTP API mode', () => {
  it('--http-api-update without periodic polls: updates only through the API, metrics count them', async () => {
    const h = harness([[c('web', 'Updated')]])
    let port = 0
    h.deps.onListening = (p) => {
      port = p
    }
    const done = main(
      [
        '--http-api-update',
        '--http-api-metrics',
        '--http-api-token',
        'tok',
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
      ],
      h.deps,
    )
    while (!port) await new Promise((r) => setTimeout(r, 5))
    const headers = { authorization: 'Bearer tok' }
    const r = await fetch(`http://127.0.0.1:${port}/v1/update?image=127.0.0.1:5000/web`, {
      method: 'POST',
      headers,
    })
    expect(((await r.json()) as { summary: { updated: number } }).summary.updated).toBe(1)
    const m = await (await fetch(`http://127.0.0.1:${port}/v1/metrics`, { headers })).text()
    expect(m).toMatch(/^watchtower_scans_total 1$/m)
    expect(h.runs).toHaveLength(1)
    // the session gets the references the API parsed (once), not strings to parse again
    expect(h.runs[0]!.request?.images?.map((i) => i.original)).toEqual(['127.0.0.1:5000/web'])
    expect(h.runs[0]!.request?.images?.[0]).toMatchObject({ registry: '127.0.0.1:5000', repository: 'web' })
    h.shutdown()
    expect(await done).toBe(0)
    expect(h.deps.stderr.text).toContain('Periodic polls are off')
  })
  it('--http-api-periodic-polls keeps the schedule running beside the API', async () => {
    const h = harness(undefined, { stopAfter: 2 })
    expect(
      await main(
        [
          '--http-api-update',
          '--http-api-periodic-polls',
          '--http-api-token',
          't',
          '--http-api-port',
          '0',
          '--http-api-host',
          '127.0.0.1',
          '-i',
          '5',
        ],
        h.deps,
      ),
    ).toBe(0)
    expect(h.runs.map((r) => (r.at - T0) / 1000)).toEqual([5, 10])
  })
  it('a scheduled tick while an API update runs is skipped and counted', async () => {
    const h = harness([[c('web', 'Updated')]])
    let releaseRun!: () => void
    let releaseSleep!: () => void
    let port = 0
    let calls = 0
    h.deps.onListening = (p) => {
      port = p
    }
    h.deps.sleep = (ms, signal) =>
      new Promise<void>((r) => {
        releaseSleep = () => {
          h.advance(ms)
          r()
        }
        signal?.addEventListener('abort', () => r(), { once: true })
      })
    h.deps.createRunner = async () => ({
      async run() {
        calls++
        if (calls === 1) await new Promise<void>((r) => (releaseRun = r))
        return buildReport([c('web', 'Updated')])
      },
    })
    const done = main(
      [
        '--http-api-update',
        '--http-api-periodic-polls',
        '--http-api-metrics',
        '--http-api-token',
        't',
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
        '-i',
        '60',
      ],
      h.deps,
    )
    while (!port || !releaseSleep) await new Promise((r) => setTimeout(r, 5))
    const headers = { authorization: 'Bearer t' }
    const update = fetch(`http://127.0.0.1:${port}/v1/update`, { method: 'POST', headers })
    while (calls === 0) await new Promise((r) => setTimeout(r, 5))
    const sleeping = releaseSleep
    sleeping() // the scheduled tick fires while the API session runs
    while (releaseSleep === sleeping) await new Promise((r) => setTimeout(r, 5))
    releaseRun()
    expect((await update).status).toBe(200)
    const m = await (await fetch(`http://127.0.0.1:${port}/v1/metrics`, { headers })).text()
    expect(m).toMatch(/^watchtower_scans_skipped 1$/m)
    expect(m).toMatch(/^watchtower_scans_total 2$/m)
    expect(calls).toBe(1)
    h.shutdown()
    expect(await done).toBe(0)
  })
})

describe('status history (--state-file)', () => {
  const temp = async () => {
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    return join(await mkdtemp(join(tmpdir(), 'wt-run-state-')), 'state.json')
  }
  const read = async (file: string) => {
    const { readFile } = await import('node:fs/promises')
    const { StateFile } = await import('../status/schema.ts')
    return StateFile.parse(JSON.parse(await readFile(file, 'utf8')))
  }
  const remove = async (file: string) => {
    const { rm } = await import('node:fs/promises')
    const { dirname } = await import('node:path')
    await rm(dirname(file), { recursive: true, force: true })
  }

  it('--run-once passes add up across runs, a failed pass with its error', async () => {
    const file = await temp()
    try {
      const h = harness([[c('web', 'Updated'), c('db', 'Skipped', 'pinned')]])
      expect(await main(['--run-once', '--state-file', file], h.deps)).toBe(0)
      h.deps.createRunner = async () => ({
        run: async () => {
          throw new Error('engine down')
        },
      })
      expect(await main(['--run-once', '--state-file', file], h.deps)).toBe(1)
      const state = await read(file)
      expect(state.sessions.map((s) => [s.id, s.trigger, s.updated, s.error])).toEqual([
        [2, 'once', 0, 'engine down'],
        [1, 'once', 1, null],
      ])
      expect(state.targets.map((t) => [t.name, t.state, t.reason])).toEqual([
        ['web', 'up-to-date', null],
        ['db', 'skipped', 'pinned'],
      ])
    } finally {
      await remove(file)
    }
  })

  it('with --http-api-ui a check-only pass runs at start-up, then the schedule', async () => {
    const file = await temp()
    try {
      const h = harness([[c('web', 'Stale')]], { stopAfter: 3 })
      // the fake sleep yields to I/O: the state file is written between passes
      h.deps.sleep = async (ms, signal) => {
        await new Promise((r) => setImmediate(r))
        if (!signal?.aborted) h.advance(ms)
      }
      const args = [
        '--http-api-ui',
        '--http-api-token',
        't',
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
      ]
      expect(await main([...args, '--interval', '60', '--state-file', file], h.deps)).toBe(0)
      expect(h.runs[0]!.request?.checkOnly).toBe(true)
      expect(h.runs.slice(1).map((r) => r.request?.checkOnly)).toEqual([undefined, undefined])
      const state = await read(file)
      expect(state.sessions.map((s) => s.trigger).sort()).toEqual(['check', 'schedule', 'schedule'])
      expect(state.targets[0]).toMatchObject({ name: 'web', state: 'stale' })
    } finally {
      await remove(file)
    }
  })
})
