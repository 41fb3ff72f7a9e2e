import { describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { createLogger } from '../log.ts'
import { createRenderer } from '../notify/templates.ts'
import { buildReport, type ContainerReport, type SessionReport } from '../session/types.ts'
import { createMetrics } from './metrics.ts'
import { createApiServer } from './server.ts'

// Several engines in the reports: each container names its engine (`host`), the report lists the
// engines; with one engine none of it appears (the other tests pin that output unchanged).

const c = (host: string, id: string, name: string, state: ContainerReport['state']): ContainerReport => ({
  host,
  id: id.padEnd(64, '0'),
  name,
  imageName: '127.0.0.1:5000/web:latest',
  currentImageId: `sha256:${'a'.repeat(64)}`,
  latestImageId: `sha256:${'b'.repeat(64)}`,
  state,
})
const A = 'unix:///var/run/docker.sock'
const B = 'ssh://deploy@10.0.0.12'
// the same container id on two engines stays two entries (sorted by id, then engine)
const report: SessionReport = {
  ...buildReport([c(A, '01', 'web', 'Updated'), c(B, '01', 'web', 'Updated'), c(B, '02', 'db', 'Fresh')]),
  engines: [
    { host: A, counts: { scanned: 1, updated: 1, failed: 0, skipped: 0, stale: 0, fresh: 0 } },
    { host: B, counts: { scanned: 2, updated: 1, failed: 0, skipped: 0, stale: 0, fresh: 1 } },
    {
      host: 'tcp://10.0.0.11:2376',
      error: 'connect ECONNREFUSED',
      counts: { scanned: 0, updated: 0, failed: 0, skipped: 0, stale: 0, fresh: 0 },
    },
  ],
}

describe('reports over several engines', () => {
  it('porcelain v1 and the default template prefix each line with its engine; json.v1 has a host key', () => {
    const data = { title: 't', host: 'box', entries: [], report }
    expect(createRenderer('porcelain.v1.summary-no-log', true).render(data)).toBe(
      [
        `${B}: web (127.0.0.1:5000/web:latest): Updated`,
        `${A}: web (127.0.0.1:5000/web:latest): Updated`,
        `${B}: db (127.0.0.1:5000/web:latest): Fresh`,
        '',
      ].join('\n'),
    )
    expect(createRenderer('default', true).render(data)).toContain(
      `- ${B}: web (127.0.0.1:5000/web:latest): aaaaaaaaaaaa updated to bbbbbbbbbbbb`,
    )
    expect(createRenderer('{{range .Report.Updated}}{{.Host}} {{end}}', true).render(data)).toBe(`${B} ${A} `)
    const j = JSON.parse(createRenderer('json.v1', true).render(data))
    expect(j.report.updated.map((u: { host: string }) => u.host)).toEqual([B, A])
  })

  it('/v1/update?host= asks for one engine; results name the engine; metrics get a host label', async () => {
    const seen: (string[] | undefined)[] = []
    const metrics = createMetrics()
    const server = createApiServer({
      token: 'tok',
      update: true,
      metrics,
      onUpdate: async (_images, hosts) => {
        seen.push(hosts)
        return { skipped: false, report }
      },
      log: createLogger({ level: 'error', format: 'json', noColor: true, stream: capture() }),
    })
    try {
      const { port } = await server.listen(0, '127.0.0.1')
      const auth = { authorization: 'Bearer tok' }
      const r = await fetch(`http://127.0.0.1:${port}/v1/update?host=${encodeURIComponent(B)}`, {
        headers: auth,
      })
      const body = (await r.json()) as {
        containers: { host: string; name: string }[]
        engines: { host: string }[]
      }
      expect(seen).toEqual([[B]])
      expect(body.containers.map((x) => `${x.host} ${x.name}`)).toEqual([`${B} web`, `${A} web`, `${B} db`])
      expect(body.engines.map((e) => e.host)).toEqual([A, B, 'tcp://10.0.0.11:2376'])
      await fetch(`http://127.0.0.1:${port}/v1/update`, { headers: auth })
      expect(seen[1]).toBeUndefined()
      metrics.recordScan(report)
      const text = (await metrics.render()).body
      expect(text).toContain(`watchtower_engine_containers{host="${B}",state="updated"} 1`)
      expect(text).toContain(`watchtower_engine_reachable{host="tcp://10.0.0.11:2376"} 0`)
      expect(text).toContain(`watchtower_engine_reachable{host="${A}"} 1`)
    } finally {
      await server.close()
    }
  })
})
