import { describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { buildReport, type ContainerReport } from '../session/types.ts'
import { createNotifier, type NotifierOptions } from './notifier.ts'
import { createRenderer, type LogEntry } from './templates.ts'

const c = (id: string, name: string, state: ContainerReport['state'], error?: string): ContainerReport => ({
  id: `${id}0000000000000000`,
  name: `/${name}`,
  imageName: `127.0.0.1:5000/${name}:latest`,
  currentImageId: `sha256:aaaa${id}00000000000000`,
  latestImageId: state === 'Updated' ? `sha256:bbbb${id}00000000000000` : `sha256:aaaa${id}00000000000000`,
  state,
  ...(error ? { error } : {}),
})
const report = buildReport([
  c('01', 'web', 'Updated'),
  c('02', 'db', 'Fresh'),
  c('03', 'cache', 'Failed', 'start failed'),
  c('04', 'local', 'Skipped', 'no registry'),
  c('05', 'mon', 'Stale'),
])
const entries: LogEntry[] = [
  { level: 'info', message: 'Found new image', time: new Date(0), data: {} },
  { level: 'info', message: 'Stopping web', time: new Date(0), data: {} },
]
const data = { title: 'Watchtower updates on box', host: 'box', entries, report }

describe('built-in templates', () => {
  it('default (report mode): summary and a line per container', () => {
    expect(createRenderer('', true).render(data)).toBe(
      [
        '4 Scanned, 1 Updated, 1 Failed',
        '- web (127.0.0.1:5000/web:latest): aaaa01000000 updated to bbbb01000000',
        '- mon (127.0.0.1:5000/mon:latest): Stale, aaaa05000000 available',
        '- db (127.0.0.1:5000/db:latest): Fresh',
        '- local (127.0.0.1:5000/local:latest): Skipped: no registry',
        '- cache (127.0.0.1:5000/cache:latest): Failed: start failed',
      ].join('\n'),
    )
  })
  it('default (report mode) reports monitor-only (Stale) sessions', () => {
    expect(
      createRenderer('default', true).render({ ...data, report: buildReport([c('05', 'mon', 'Stale')]) }),
    ).toBe('1 Scanned, 0 Updated, 0 Failed\n- mon (127.0.0.1:5000/mon:latest): Stale, aaaa05000000 available')
  })
  it('default (report mode) is empty when nothing was updated or failed', () => {
    expect(
      createRenderer('default', true).render({ ...data, report: buildReport([c('02', 'db', 'Fresh')]) }),
    ).toBe('')
  })
  it('default without a report falls back to the entries', () => {
    const { report: _r, ...noReport } = data
    expect(createRenderer('default', true).render(noReport)).toBe('Found new image\nStopping web\n')
  })
  it('default-legacy: one entry per line', () => {
    expect(createRenderer('', false).render(data)).toBe('Found new image\nStopping web\n')
  })
  it('porcelain.v1.summary-no-log', () => {
    expect(createRenderer('porcelain.v1.summary-no-log', true).render(data)).toBe(
      [
        'web (127.0.0.1:5000/web:latest): Updated',
        'cache (127.0.0.1:5000/cache:latest): Failed Error: start failed',
        'local (127.0.0.1:5000/local:latest): Skipped Error: no registry',
        'mon (127.0.0.1:5000/mon:latest): Stale',
        'db (127.0.0.1:5000/db:latest): Fresh',
        '',
      ].join('\n'),
    )
    expect(
      createRenderer('porcelain.v1.summary-no-log', true).render({ ...data, report: buildReport([]) }),
    ).toBe('no containers matched filter')
  })
  it('json.v1: sorted keys, short IDs', () => {
    const out = createRenderer('json.v1', true).render(data)
    const j = JSON.parse(out)
    expect(Object.keys(j)).toEqual(['entries', 'host', 'report', 'title'])
    expect(j.report.updated[0]).toEqual({
      currentImageId: 'aaaa01000000',
      id: '010000000000',
      imageName: '127.0.0.1:5000/web:latest',
      latestImageId: 'bbbb01000000',
      name: 'web',
      state: 'Updated',
    })
    expect(j.report.failed[0].error).toBe('start failed')
    expect(j.entries[0]).toEqual({
      data: {},
      level: 'info',
      message: 'Found new image',
      time: '1970-01-01T00:00:00.000Z',
    })
  })
  it('custom template with report fields', () => {
    const t =
      '{{.Title}} @ {{.Host}}: {{range .Report.Updated}}{{.Name | ToUpper}} {{.CurrentImageID.ShortID}}→{{.LatestImageID.ShortID}}{{end}} ({{len .Entries}} log lines)'
    expect(createRenderer(t, true).render(data)).toBe(
      'Watchtower updates on box @ box: WEB aaaa01000000→bbbb01000000 (2 log lines)',
    )
  })
  it('.Report without --notification-report does not crash', () => {
    const r = createRenderer(
      '{{range .Report.Updated}}{{.Name}}{{end}}{{if .Report}}x{{else}}no report{{end}} {{len .}}',
      false,
    )
    expect(r.render(data)).toBe('no report 2')
  })
  it('an invalid template is reported and the default is used', () => {
    const r = createRenderer('{{if .X}', false)
    expect(r.invalid?.code).toBe('WT_WATCHTOWER_TEMPLATE')
    expect(r.render(data)).toBe('Found new image\nStopping web\n')
  })
})

function opts(over: Partial<NotifierOptions> = {}) {
  const out = capture()
  const errors: string[] = []
  const o: NotifierOptions = {
    urls: ['logger://'],
    template: '',
    reportMode: true,
    titleTag: '',
    skipTitle: false,
    hostname: 'box',
    delaySeconds: 0,
    level: 'info',
    logStdout: true,
    stdout: out,
    sleep: async () => {},
    onError: (m) => errors.push(m),
    logInfo: () => {},
    ...over,
  }
  return { o, out, errors }
}

describe('notifier', () => {
  it('batches entries per session and sends the report once', async () => {
    const { o, out } = opts()
    const n = createNotifier(o)
    n.startSession()
    n.entry({ level: 'info', message: 'x', time: new Date(), data: {} })
    await n.endSession(report)
    expect(out.text).toContain('4 Scanned, 1 Updated, 1 Failed')
  })
  it('--notification-split-by-container sends one message per changed container', async () => {
    const { o, out } = opts({ splitByContainer: true })
    const n = createNotifier(o)
    n.startSession()
    await n.endSession(report)
    const messages = out.text.split(/(?=\d+ Scanned)/)
    expect(messages).toHaveLength(3)
    expect(messages.map((m) => m.split('\n')[1]).sort()).toEqual([
      '- cache (127.0.0.1:5000/cache:latest): Failed: start failed',
      '- mon (127.0.0.1:5000/mon:latest): Stale, aaaa05000000 available',
      '- web (127.0.0.1:5000/web:latest): aaaa01000000 updated to bbbb01000000',
    ])
  })
  it('never sends an empty notification', async () => {
    const { o, out } = opts()
    const n = createNotifier(o)
    n.startSession()
    await n.endSession(buildReport([c('02', 'db', 'Fresh')]))
    expect(out.text).toBe('')
  })
  it('filters by level and notify=false; entries outside a session go out at once', async () => {
    const { o, out } = opts({ reportMode: false, level: 'warn' })
    const n = createNotifier(o)
    n.entry({ level: 'info', message: 'too verbose', time: new Date(), data: {} })
    n.entry({ level: 'error', message: 'quiet', time: new Date(), data: { notify: false } })
    n.entry({ level: 'error', message: 'boom', time: new Date(), data: {} })
    await n.close()
    expect(out.text).toBe('boom\n')
  })
  it('title tag, skip title, delay', async () => {
    const titles: (string | undefined)[] = []
    const slept: number[] = []
    const { o } = opts({ titleTag: 'prod', delaySeconds: 3, sleep: async (ms) => void slept.push(ms) })
    const n = createNotifier(o)
    ;(n.services as unknown as { send: unknown }[])[0]!.send = async (m: { title?: string }) =>
      void titles.push(m.title)
    await n.sendLines(['hello'])
    const { o: o2 } = opts({ skipTitle: true })
    const n2 = createNotifier(o2)
    ;(n2.services as unknown as { send: unknown }[])[0]!.send = async (m: { title?: string }) =>
      void titles.push(m.title)
    await n2.sendLines(['hello'])
    expect(titles).toEqual(['[prod] Watchtower updates on box', undefined])
    expect(slept).toEqual([3000])
  })
  it('a failing service is logged, not thrown', async () => {
    const { o, errors } = opts({ urls: ['generic+http://127.0.0.1:9/x'] })
    const n = createNotifier(o)
    await n.sendLines(['hello'])
    expect(errors[0]).toMatch(/failed to send a notification via generic \(127.0.0.1:9\)/)
  })
})

describe('a template that fails while rendering', () => {
  it('is logged with the reason and the default template is sent instead', async () => {
    const { o, out, errors } = opts({ template: '{{range .Report.Updated}}{{index .Name 99}}{{end}}' })
    const n = createNotifier(o)
    n.startSession()
    await n.endSession(report)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^notification template failed: template: notification:1:\d+: executing "notification" at <index \.Name 99>: error calling index: index out of range: 99$/,
    )
    expect(out.text).toContain('4 Scanned, 1 Updated, 1 Failed')
  })
  it('a field the data does not have is an error, as in watchtower (not "<no value>")', async () => {
    const { o, out, errors } = opts({ template: '{{range .Report.Updated}}{{.Nmae}}{{end}}' })
    const n = createNotifier(o)
    n.startSession()
    await n.endSession(report)
    expect(errors[0]).toMatch(/can't evaluate field Nmae in type \*session.ContainerStatus/)
    expect(out.text).toContain('4 Scanned, 1 Updated, 1 Failed')
  })
  it('never puts data values in the error', async () => {
    const { o, errors } = opts({ template: '{{range .Title}}{{end}}', titleTag: 'hunter2-secret' })
    const n = createNotifier(o)
    await n.sendLines(['hello'])
    expect(errors[0]).toMatch(/range can't iterate over a value of type string/)
    expect(errors.join('\n')).not.toContain('hunter2')
  })
})
