import type { ContainerReport, ProgressEvent } from '@watchtower-ts/docker-updater'
import { describe, expect, it } from 'vitest'
import { capture } from '../test/cli-deps.ts'
import { createMetrics } from './api/metrics.ts'
import { createLogger } from './log.ts'
import { formatBytes, formatDuration, outcomeLine, progressLine } from './progress.ts'
import { buildReport } from './session/types.ts'
import { toContainerReport } from './wiring.ts'

const OLD = `sha256:${'a'.repeat(64)}`
const ID = 'b'.repeat(64)
const NEW = 'c'.repeat(64)
const IMG = '127.0.0.1:5000/team/web:latest'

describe('progress event → log line (upstream wording, the time each step took)', () => {
  const cases: [ProgressEvent, LogExpect][] = [
    [
      {
        type: 'found-stale',
        container: 'web',
        image: IMG,
        latest: `sha256:${'d'.repeat(64)}`,
        durationMs: 42,
      },
      ['info', `Found new ${IMG} image (dddddddddddd)`, true],
    ],
    [
      { type: 'found-stale', container: 'web', image: IMG, durationMs: 42 },
      ['info', `Found new ${IMG} image`, true],
    ],
    [{ type: 'pull', phase: 'begin', image: IMG, container: 'web' }, ['info', `Pulling ${IMG}`, false]],
    [
      {
        type: 'pull',
        phase: 'progress',
        image: IMG,
        currentBytes: 12_300_000,
        totalBytes: 45_600_000,
        durationMs: 5000,
      },
      ['info', `Pulling ${IMG}: 12.3 MB of 45.6 MB (26%)`, false],
    ],
    [
      { type: 'pull', phase: 'end', image: IMG, totalBytes: 45_600_000, durationMs: 9_400 },
      ['info', `Pulled ${IMG} (45.6 MB) in 9.4s`, false],
    ],
    [
      { type: 'pull', phase: 'end', image: IMG, totalBytes: 0, durationMs: 35 },
      ['info', `Pulled ${IMG} in 35ms`, false],
    ],
    [
      { type: 'stop', phase: 'begin', container: 'web', containerId: ID, signal: 'SIGTERM' },
      ['info', 'Stopping /web (bbbbbbbbbbbb) with SIGTERM', true],
    ],
    [
      { type: 'stop', phase: 'end', container: 'web', containerId: ID, durationMs: 10_250 },
      ['info', 'Stopped /web (bbbbbbbbbbbb) in 10.3s', false],
    ],
    [{ type: 'create', phase: 'begin', container: 'web' }, ['info', 'Creating /web', true]],
    [
      { type: 'create', phase: 'end', container: 'web', containerId: NEW, durationMs: 20 },
      ['info', 'Created /web (cccccccccccc) in 20ms', false],
    ],
    [
      { type: 'start', phase: 'begin', container: 'web', containerId: NEW },
      ['debug', 'Starting container /web (cccccccccccc)', false],
    ],
    [
      { type: 'start', phase: 'end', container: 'web', containerId: NEW, durationMs: 180 },
      ['info', 'Started /web (cccccccccccc) in 180ms', false],
    ],
    [
      { type: 'healthy', container: 'web', containerId: NEW, health: 'healthy', durationMs: 65_000 },
      ['info', '/web (cccccccccccc) is healthy after 1m05s', false],
    ],
    [
      { type: 'healthy', container: 'web', containerId: NEW, health: 'running', durationMs: 3 },
      ['debug', '/web (cccccccccccc) is running (no healthcheck)', false],
    ],
    [
      {
        type: 'rolled-back',
        container: 'web',
        containerId: ID,
        reason: 'new container web became unhealthy',
        durationMs: 800,
      },
      [
        'warn',
        'Rolled back /web to its old container (bbbbbbbbbbbb) in 800ms: new container web became unhealthy',
        true,
      ],
    ],
    [{ type: 'remove-image', imageId: OLD }, ['info', 'Removing image aaaaaaaaaaaa', true]],
  ]
  it.each(cases)('%o', (event, [level, msg, notify]) => {
    const line = progressLine(event)
    expect([line.level, line.msg]).toEqual([level, msg])
    // upstream's own lines reach notifications; our extra timing lines do not
    expect(line.fields.notify !== false).toBe(notify)
    expect(line.fields.event).toBe(event.type)
    if ('phase' in event) expect(line.fields.phase).toBe(event.phase)
    if ('durationMs' in event && event.type !== 'found-stale')
      expect(line.fields.durationMs).toBe(event.durationMs)
  })

  it('json logs carry the event fields; logfmt too', () => {
    for (const format of ['json', 'logfmt'] as const) {
      const out = capture()
      const log = createLogger({
        level: 'info',
        format,
        noColor: true,
        stream: out,
        now: () => Date.UTC(2026, 0, 1),
      })
      const line = progressLine({
        type: 'stop',
        phase: 'end',
        container: 'web',
        containerId: ID,
        durationMs: 1200,
      })
      log[line.level](line.fields, line.msg)
      if (format === 'json')
        expect(JSON.parse(out.text)).toEqual({
          level: 'info',
          time: '2026-01-01T00:00:00.000Z',
          msg: 'Stopped /web (bbbbbbbbbbbb) in 1.2s',
          event: 'stop',
          phase: 'end',
          container: 'web',
          durationMs: 1200,
        })
      else
        expect(out.text).toBe(
          'time="2026-01-01T00:00:00.000Z" level=info msg="Stopped /web (bbbbbbbbbbbb) in 1.2s" event=stop phase=end container=web durationMs=1200\n',
        )
    }
  })

  it('durations and sizes read well', () => {
    expect([0, 999, 1000, 59_949, 60_000, 125_000].map(formatDuration)).toEqual([
      '0ms',
      '999ms',
      '1.0s',
      '59.9s',
      '1m00s',
      '2m05s',
    ])
    expect([0, 999, 1000, 12_345, 123_456_789, 2_500_000_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.00 kB',
      '12.3 kB',
      '123 MB',
      '2.50 GB',
    ])
  })
})

type LogExpect = [level: string, msg: string, notify: boolean]

describe('container outcome → log line and report entry', () => {
  const base: ContainerReport = {
    id: ID,
    name: 'web',
    image: IMG,
    oldImageId: OLD,
    state: 'fresh',
    warnings: [],
  }
  const refused: ContainerReport = {
    ...base,
    state: 'skipped',
    error: `check of ${IMG} failed: registry refused the credentials of alice (config.json) on team/web (401): https://127.0.0.1:5000/v2/team/web/manifests/latest`,
    errorCode: 'WT_UPDATER_CHECK_FAILED',
  }

  it('a registry that refused (or a failed pull): warn, upstream wording, the cause and the credcheck hint', () => {
    for (const c of [
      refused,
      { ...refused, errorCode: 'WT_UPDATER_PULL_FAILED', error: `pull of ${IMG} failed: denied` },
    ]) {
      const line = outcomeLine(c)!
      expect(line.level).toBe('warn')
      expect(line.msg).toBe(
        `Unable to update container /web: ${c.error}. Proceeding to next. \`credcheck ${IMG}\` shows why`,
      )
      expect(line.fields).toMatchObject({ container: 'web', image: IMG, code: c.errorCode })
      // reported as Failed (notifications, --porcelain, the failed metric, the exit code) with the hint
      expect(toContainerReport(c)).toMatchObject({
        state: 'Failed',
        error: `${c.error}; \`credcheck ${IMG}\` shows why`,
      })
    }
  })

  it('counted in watchtower_containers_failed (upstream metric names unchanged)', async () => {
    const metrics = createMetrics()
    metrics.recordScan(buildReport([toContainerReport(refused), toContainerReport({ ...base, id: 'x' })]))
    const { body } = await metrics.render()
    expect(body).toMatch(/^watchtower_containers_failed 1$/m)
    expect(body).toMatch(/^watchtower_containers_scanned 2$/m)
    expect(body).toMatch(/^watchtower_containers_updated 0$/m)
  })

  it('a deliberate skip (pinned, local-only, pre-update exit 75) is an info line and stays Skipped', () => {
    const pinned: ContainerReport = { ...base, state: 'skipped', error: 'image is pinned by digest' }
    expect(outcomeLine(pinned)).toMatchObject({
      level: 'info',
      msg: 'Skipped web: image is pinned by digest',
    })
    expect(toContainerReport(pinned)).toMatchObject({ state: 'Skipped', error: 'image is pinned by digest' })
  })

  it('updated, failed and rolled back keep their lines; fresh and stale need none (stale was logged live)', () => {
    expect(outcomeLine({ ...base, state: 'updated' })).toMatchObject({
      level: 'info',
      msg: `Updated web (${IMG})`,
    })
    expect(outcomeLine({ ...base, state: 'rolled-back', error: 'unhealthy' })).toMatchObject({
      level: 'error',
      msg: 'Update of web failed: unhealthy',
    })
    expect(outcomeLine(base)).toBeUndefined()
    expect(outcomeLine({ ...base, state: 'stale' })).toBeUndefined()
  })
})
