import { describe, expect, it } from 'vitest'
import { createMetrics } from '../api/metrics.ts'
import { outcomeLine } from '../progress.ts'
import { buildReport, type ContainerReport } from '../session/types.ts'
import { toContainerReport } from '../wiring.ts'
import { createRenderer, jsonV1 } from './templates.ts'

// Tag policies and the cooldown delay in what users read: templates (old and new tag), porcelain,
// json.v1, the log line of each outcome and the metrics.
const moved: ContainerReport = {
  id: '01aaaaaaaaaaaaaaaa',
  name: '/web',
  imageName: '127.0.0.1:5000/team/web:1.0.0',
  currentImageId: 'sha256:aaaa01000000000000',
  latestImageId: 'sha256:bbbb01000000000000',
  state: 'Updated',
  tagChange: { from: '1.0.0', to: '1.1.0', newImageName: '127.0.0.1:5000/team/web:1.1.0' },
}
const watched: ContainerReport = {
  ...moved,
  id: '02aaaaaaaaaaaaaaaa',
  name: '/mon',
  state: 'Stale',
  latestImageId: moved.currentImageId,
  tagChange: { from: '1.0.0', to: '2.0.0', newImageName: '127.0.0.1:5000/team/web:2.0.0' },
}
const waiting: ContainerReport = {
  id: '03aaaaaaaaaaaaaaaa',
  name: '/slow',
  imageName: '127.0.0.1:5000/team/web:1.0.0',
  currentImageId: 'sha256:cccc03000000000000',
  latestImageId: 'sha256:cccc03000000000000',
  state: 'Fresh',
  waiting: {
    imageName: '127.0.0.1:5000/team/web:1.1.0',
    waitMs: 22 * 3_600_000,
    reason: 'the new image is 2h old; the cooldown delay asks for 1d (22h to go)',
  },
}
const report = buildReport([moved, watched, waiting])
const data = { title: 't', host: 'box', entries: [], report }

describe('templates get the old and the new tag', () => {
  it('default: updated and stale lines show from → to; a waiting container shows the time left', () => {
    expect(createRenderer('default', true).render(data)).toBe(
      [
        '3 Scanned, 1 Updated, 0 Failed',
        '- web (127.0.0.1:5000/team/web:1.0.0): aaaa01000000 updated to bbbb01000000, tag 1.0.0 → 1.1.0',
        '- mon (127.0.0.1:5000/team/web:1.0.0): Stale, tag 1.0.0 → 2.0.0 available',
        '- slow (127.0.0.1:5000/team/web:1.0.0): Fresh, waiting: the new image is 2h old; the cooldown delay asks for 1d (22h to go)',
      ].join('\n'),
    )
  })
  it('porcelain.v1 adds `from → to` only for a tag change', () => {
    expect(createRenderer('porcelain.v1.summary-no-log', true).render(data)).toBe(
      [
        'web (127.0.0.1:5000/team/web:1.0.0): Updated 1.0.0 → 1.1.0',
        'mon (127.0.0.1:5000/team/web:1.0.0): Stale 1.0.0 → 2.0.0',
        'slow (127.0.0.1:5000/team/web:1.0.0): Fresh',
        '',
      ].join('\n'),
    )
  })
  it('custom templates read .FromTag, .ToTag, .NewImageName and .Waiting', () => {
    const t = '{{range .Report.All}}{{.Name}}:{{.FromTag}}>{{.ToTag}}={{.NewImageName}}|{{.Waiting}};{{end}}'
    expect(createRenderer(t, true).render(data)).toBe(
      'web:1.0.0>1.1.0=127.0.0.1:5000/team/web:1.1.0|;mon:1.0.0>2.0.0=127.0.0.1:5000/team/web:2.0.0|;slow:>=|the new image is 2h old; the cooldown delay asks for 1d (22h to go);',
    )
  })
  it('json.v1 carries fromTag/toTag and the wait', () => {
    const json = JSON.parse(jsonV1(data)) as { report: Record<string, Record<string, unknown>[]> }
    expect(json.report.updated![0]).toMatchObject({ fromTag: '1.0.0', toTag: '1.1.0' })
    expect(json.report.fresh![0]).toMatchObject({ waitingMs: 22 * 3_600_000 })
  })
})

describe('logs and metrics', () => {
  const base = {
    id: 'x',
    name: 'web',
    image: '127.0.0.1:5000/team/web:1.0.0',
    oldImageId: 'sha256:a',
    warnings: [],
  }
  it('an update to a new tag and a waiting container are info lines with from/to and the time left', () => {
    const tagChange = { from: '1.0.0', to: '1.1.0', newImage: '127.0.0.1:5000/team/web:1.1.0' }
    expect(outcomeLine({ ...base, state: 'updated', tagChange })).toEqual({
      level: 'info',
      msg: 'Updated web (127.0.0.1:5000/team/web:1.0.0 → 127.0.0.1:5000/team/web:1.1.0)',
      fields: { container: 'web', image: base.image, from: '1.0.0', to: '1.1.0' },
    })
    const w = {
      image: tagChange.newImage,
      created: 0,
      waitMs: 60_000,
      reason: 'the new image is 1m old; (1m to go)',
    }
    expect(outcomeLine({ ...base, state: 'fresh', waiting: w })).toMatchObject({
      level: 'info',
      msg: 'Waiting to update web: 127.0.0.1:5000/team/web:1.1.0 is too new (the new image is 1m old; (1m to go))',
      fields: { event: 'waiting', waitMs: 60_000 },
    })
    expect(toContainerReport({ ...base, state: 'updated', tagChange })).toMatchObject({
      state: 'Updated',
      tagChange: { from: '1.0.0', to: '1.1.0', newImageName: tagChange.newImage },
    })
  })
  it('metrics: containers waiting and each tag change of the last scan', async () => {
    const m = createMetrics()
    m.recordScan(report)
    const { body } = await m.render()
    expect(body).toContain('watchtower_containers_waiting 1')
    expect(body).toContain(
      'watchtower_container_tag_change{container="web",from="1.0.0",to="1.1.0",state="Updated"} 1',
    )
    expect(body).toContain(
      'watchtower_container_tag_change{container="mon",from="1.0.0",to="2.0.0",state="Stale"} 1',
    )
  })
})
