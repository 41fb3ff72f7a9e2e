import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bed, cleanupPrefix, imageOf, publish, run, uniqueName, watchtower } from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-api')
afterAll(() => cleanupPrefix(P))

describe('HTTP API against the real engine', () => {
  it('POST /v1/update?image=host:port/repo updates that container only; /v1/metrics counts it', async () => {
    const a = await publish('token', `alice/${P}-a`, 'v1')
    const b = await publish('open', `${P}-b`, 'v1')
    await run(`${P}-a`, a.ref)
    await run(`${P}-b`, b.ref)
    const a2 = await publish('token', `alice/${P}-a`, 'v2')
    await publish('open', `${P}-b`, 'v2')
    let port = 0
    let stop: ((s: string) => void) | undefined
    const done = watchtower(
      [
        '--http-api-update',
        '--http-api-metrics',
        '--http-api-token',
        'e2e-token',
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
        `${P}-a`,
        `${P}-b`,
      ],
      {
        onListening: (p) => {
          port = p
        },
        onShutdown: (h) => {
          stop = h
          return () => {}
        },
      },
    )
    while (!port) await new Promise((r) => setTimeout(r, 20))
    const base = `http://127.0.0.1:${port}`
    const headers = { authorization: 'Bearer e2e-token' }
    expect((await fetch(`${base}/v1/update`, { method: 'POST' })).status).toBe(401)
    const res = await fetch(`${base}/v1/update?image=${bed.registries.token.host}/alice/${P}-a`, {
      method: 'POST',
      headers,
    })
    const body = (await res.json()) as {
      summary: Record<string, number>
      containers: { name: string; state: string }[]
    }
    expect(body.summary.updated).toBe(1)
    expect(body.containers).toEqual([expect.objectContaining({ name: `${P}-a`, state: 'Updated' })])
    expect(await imageOf(`${P}-a`)).toBe(a2.id)
    expect(await imageOf(`${P}-b`)).toBe(b.id)
    const metrics = await (await fetch(`${base}/v1/metrics`, { headers })).text()
    expect(metrics).toMatch(/^watchtower_containers_updated 1$/m)
    expect(metrics).toMatch(/^watchtower_scans_total 1$/m)
    expect(metrics).toMatch(/^watchtower_registry_requests\{kind="token"\} [1-9]/m)
    expect(metrics).toMatch(/^watchtower_token_cache_misses [1-9]/m)
    stop!('SIGTERM')
    const r = await done
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain('e2e-token')
  })
})

describe('notifications from a real update', () => {
  let http: Server
  let httpBase = ''
  const seen: { path: string; body: string }[] = []
  let smtp: SMTPServer
  let smtpPort = 0
  const mails: string[] = []
  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        seen.push({ path: req.url!, body })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _s, cb) {
        let data = ''
        stream.on('data', (c) => {
          data += c
        })
        stream.on('end', () => {
          mails.push(data)
          cb()
        })
      },
    })
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
    smtpPort = (smtp.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise<void>((r) => http.close(() => r()))
    await new Promise<void>((r) => smtp.close(() => r()))
  })

  it('report mode sends the default template to smtp, slack and generic; legacy email flags work', async () => {
    const v1 = await publish('open', `${P}-n`, 'v1')
    const name = `${P}-n`
    await run(name, v1.ref)
    await publish('open', `${P}-n`, 'v2')
    const host = httpBase.slice('http://'.length)
    const r = await watchtower(
      [
        '--run-once',
        '--notification-report',
        '--no-startup-message',
        '--notifications-hostname',
        'e2e-host',
        '--notification-title-tag',
        'e2e',
        '--notification-url',
        'slack://hook:T1-B2-C3@webhook',
        '--notification-url',
        `generic+http://${host}/hook?template=json`,
        '--notifications',
        'email',
        '--notification-email-from',
        'wt@example.test',
        '--notification-email-to',
        'ops@example.test',
        '--notification-email-server',
        '127.0.0.1',
        '--notification-email-server-port',
        String(smtpPort),
        '--notification-email-server-tls-skip-verify',
        name,
      ],
      { notificationEndpoints: { slack: httpBase } },
    )
    expect(r.code).toBe(0)
    const slack = seen.find((s) => s.path === '/services/T1/B2/C3')
    expect(JSON.parse(slack!.body).text).toContain(`1 Scanned, 1 Updated, 0 Failed\n- ${name} (${v1.ref}): `)
    const generic = JSON.parse(seen.find((s) => s.path === '/hook')!.body)
    expect(generic.title).toBe('[e2e] Watchtower updates on e2e-host')
    expect(generic.message).toContain('updated to')
    expect(mails).toHaveLength(1)
    expect(mails[0]).toContain('Subject: [e2e] Watchtower updates on e2e-host')
    expect(mails[0]).toContain('1 Scanned, 1 Updated, 0 Failed')
  })

  it('every service gets the session report from a real update', async () => {
    const v1 = await publish('open', `${P}-all`, 'v1')
    const name = `${P}-all`
    await run(name, v1.ref)
    await publish('open', `${P}-all`, 'v2')
    const host = httpBase.slice('http://'.length)
    seen.length = 0
    const urls = [
      'discord://tok@123',
      'teams://g@t/a/o?host=example.webhook.office.com',
      `gotify://${host}/gtok?disabletls=yes`,
      `ntfy://${host}/wt?scheme=http`,
      'telegram://1:tg@telegram?chats=42',
      'pushover://shoutrrr:ptok@UserKey',
      `generic://${host}/gen?disabletls=yes`,
      'logger://',
    ]
    const r = await watchtower(
      [
        '--run-once',
        '--notification-report',
        '--no-startup-message',
        '--notification-log-stdout',
        name,
        ...urls.flatMap((u) => ['--notification-url', u]),
      ],
      {
        notificationEndpoints: { discord: httpBase, teams: httpBase, telegram: httpBase, pushover: httpBase },
      },
    )
    expect(r.code).toBe(0)
    const paths = seen.map((s) => s.path).sort()
    expect(paths).toEqual(
      [
        '/1/messages.json',
        '/api/webhooks/123/tok',
        '/bot1:tg/sendMessage',
        '/gen',
        '/message',
        '/webhookb2/g@t/IncomingWebhook/a/o',
        '/wt',
      ].sort(),
    )
    for (const s of seen) expect(decodeURIComponent(s.body.replace(/\+/g, ' '))).toContain('1 Updated')
    expect(r.stdout).toContain('1 Scanned, 1 Updated, 0 Failed')
  })

  it('nothing updated: no notification is sent', async () => {
    const v1 = await publish('open', `${P}-quiet`, 'v1')
    const name = `${P}-quiet`
    await run(name, v1.ref)
    seen.length = 0
    const r = await watchtower([
      '--run-once',
      '--notification-report',
      '--no-startup-message',
      '--notification-url',
      `generic+http://${httpBase.slice(7)}/quiet`,
      name,
    ])
    expect(r.code).toBe(0)
    expect(seen).toEqual([])
  })
})
