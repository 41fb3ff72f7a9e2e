import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { createService, type ServiceContext } from './services.ts'

interface Seen {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
}

let server: Server
let base: string
const seen: Seen[] = []
let status = 200

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      })
      res.statusCode = status
      res.end(status === 200 ? '{"ok":true}' : 'nope')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const ctx = (): ServiceContext => ({
  logInfo: () => {},
  stdout: capture(),
  logStdout: false,
  endpoints: { slack: base, discord: base, telegram: base, pushover: base, teams: base },
})
const host = () => base.slice('http://'.length)

async function last(url: string, title: string | undefined = 'T') {
  seen.length = 0
  await createService(url, ctx()).send({ ...(title ? { title } : {}), body: 'line 1\nline 2' })
  expect(seen).toHaveLength(1)
  return seen[0]!
}

describe('notification services against a loopback server (documented request shapes)', () => {
  it('slack incoming webhook: POST /services/A/B/C JSON with text', async () => {
    const r = await last('slack://hook:T1-B2-XYZ@webhook?botname=wt&icon=:whale:&channel=%23ops')
    expect([r.method, r.path, r.headers['content-type']]).toEqual([
      'POST',
      '/services/T1/B2/XYZ',
      'application/json',
    ])
    expect(JSON.parse(r.body)).toEqual({
      text: '*T*\nline 1\nline 2',
      username: 'wt',
      icon_emoji: ':whale:',
      channel: '#ops',
    })
  })
  it('slack legacy token form slack://A/B/C', async () => {
    const r = await last('slack://T1/B2/XYZ', '')
    expect(r.path).toBe('/services/T1/B2/XYZ')
    expect(JSON.parse(r.body).text).toBe('line 1\nline 2')
  })
  it('discord webhook: POST /api/webhooks/ID/TOKEN with embeds', async () => {
    const r = await last('discord://tok3n@12345?username=wt&avatar=https://i.test/a.png')
    expect(r.path).toBe('/api/webhooks/12345/tok3n')
    const b = JSON.parse(r.body)
    expect(b.embeds[0]).toMatchObject({ title: 'T', description: 'line 1\nline 2' })
    expect(typeof b.embeds[0].color).toBe('number')
    expect(b).toMatchObject({ username: 'wt', avatar_url: 'https://i.test/a.png' })
  })
  it('teams: POST /webhookb2/G@T/IncomingWebhook/A/O with a MessageCard', async () => {
    const r = await last('teams://g1@t1/a1/o1?host=org.webhook.office.com')
    expect(r.path).toBe('/webhookb2/g1@t1/IncomingWebhook/a1/o1')
    expect(JSON.parse(r.body)).toMatchObject({
      '@type': 'MessageCard',
      title: 'T',
      text: 'line 1<br>line 2',
      summary: 'T',
    })
  })
  it('gotify: POST /message with X-Gotify-Key and {title,message,priority}', async () => {
    const r = await last(`gotify://${host()}/sub/AppTok?disabletls=yes&priority=5`)
    expect(r.path).toBe('/sub/message')
    expect(r.headers['x-gotify-key']).toBe('AppTok')
    expect(JSON.parse(r.body)).toEqual({ title: 'T', message: 'line 1\nline 2', priority: 5 })
  })
  it('ntfy: POST /topic, body is the message, Title/Priority/Tags headers, basic auth', async () => {
    const r = await last(`ntfy://u:p@${host()}/updates?scheme=http&priority=high&tags=whale,ship`)
    expect(r.path).toBe('/updates')
    expect(r.body).toBe('line 1\nline 2')
    expect(r.headers).toMatchObject({ title: 'T', priority: 'high', tags: 'whale,ship' })
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)
  })
  it('ntfy with an access token uses Bearer', async () => {
    const r = await last(`ntfy://:tk_abc@${host()}/t?scheme=http`)
    expect(r.headers.authorization).toBe('Bearer tk_abc')
  })
  it('telegram: POST /bot<token>/sendMessage per chat', async () => {
    seen.length = 0
    await createService(
      'telegram://123:ABC@telegram?chats=@chan,42&parsemode=HTML&notification=no',
      ctx(),
    ).send({
      title: 'T',
      body: 'hi',
    })
    expect(seen.map((s) => s.path)).toEqual(['/bot123:ABC/sendMessage', '/bot123:ABC/sendMessage'])
    expect(JSON.parse(seen[0]!.body)).toEqual({
      chat_id: '@chan',
      text: 'T\nhi',
      parse_mode: 'HTML',
      disable_notification: true,
    })
    expect(JSON.parse(seen[1]!.body).chat_id).toBe('42')
  })
  it('pushover: POST /1/messages.json form with token, user, message, title', async () => {
    const r = await last('pushover://shoutrrr:apptoken@UserKey/?devices=phone&priority=1')
    expect([r.path, r.headers['content-type']]).toEqual([
      '/1/messages.json',
      'application/x-www-form-urlencoded',
    ])
    expect(Object.fromEntries(new URLSearchParams(r.body))).toEqual({
      token: 'apptoken',
      user: 'UserKey',
      message: 'line 1\nline 2',
      title: 'T',
      device: 'phone',
      priority: '1',
    })
  })
  it('generic+http: body as is, headers from @, query forwarded', async () => {
    const r = await last(`generic+http://${host()}/hook?x=1&@X-Custom=yes&contenttype=text/plain`)
    expect([r.path, r.body, r.headers['x-custom'], r.headers['content-type']]).toEqual([
      '/hook?x=1',
      'line 1\nline 2',
      'yes',
      'text/plain',
    ])
  })
  it('generic with template=json and disabletls', async () => {
    const r = await last(`generic://${host()}/j?template=json&disabletls=yes&$env=prod&messagekey=msg`)
    expect(JSON.parse(r.body)).toEqual({ env: 'prod', title: 'T', msg: 'line 1\nline 2' })
  })
  it('logger:// logs, or writes to stdout with --notification-log-stdout', async () => {
    const logged: string[] = []
    await createService('logger://', { ...ctx(), logInfo: (m) => logged.push(m) }).send({ body: 'hello' })
    expect(logged).toEqual(['hello'])
    const out = capture()
    await createService('logger://', { ...ctx(), stdout: out, logStdout: true }).send({ body: 'hello' })
    expect(out.text).toBe('hello\n')
  })
  it('an HTTP error names the service, never the secret', async () => {
    status = 500
    try {
      await expect(createService('discord://s3cr3t@1', ctx()).send({ body: 'x' })).rejects.toThrow(
        /discord: the server at http:\/\/127\.0\.0\.1:\d+\/… answered HTTP 500/,
      )
      await createService('discord://s3cr3t@1', ctx())
        .send({ body: 'x' })
        .catch((e: Error) => expect(e.message).not.toContain('s3cr3t'))
    } finally {
      status = 200
    }
  })
  it('bad URLs name the service', () => {
    expect(() => createService('pigeon://x', ctx())).toThrow(/unknown notification service "pigeon:\/\/"/)
    expect(() => createService('teams://x', ctx())).toThrow(/teams:\/\/…: expected teams:\/\//)
    expect(() => createService('telegram://tok@telegram', ctx())).toThrow(/chats=/)
    expect(() => createService('smtp://h/?fromaddress=a@b', ctx())).toThrow(/toaddresses/)
    expect(() => createService('not a url', ctx())).toThrow(/not a valid URL/)
  })
  it('the registry: generic+<proto> goes to generic, which takes only http and https; no other scheme is known', () => {
    expect(createService('generic+https://h.test/x', ctx()).kind).toBe('generic')
    expect(() => createService('generic+ftp://h.test/x', ctx())).toThrow(
      /generic\+ftp:\/\/…: use generic:\/\/, generic\+http:\/\/ or generic\+https:\/\//,
    )
    for (const scheme of ['constructor', 'toString', 'slack+x', 'smtps']) {
      expect(() => createService(`${scheme}://x`, ctx())).toThrow(/unknown notification service/)
    }
  })
})

describe('smtp:// against a real SMTP server on loopback', () => {
  it('delivers with AUTH PLAIN, from/to/subject/body as configured', async () => {
    const mails: { from: string; to: string[]; data: string; user?: string; pass?: string }[] = []
    let auth: { user?: string; pass?: string } = {}
    const smtp = new SMTPServer({
      authOptional: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(a, _s, cb) {
        auth = { user: a.username!, pass: a.password! }
        cb(null, { user: a.username })
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString(),
          })
          cb()
        })
      },
    })
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
    const port = (smtp.server.address() as AddressInfo).port
    try {
      const url = `smtp://mailer:p%40ss@127.0.0.1:${port}/?fromaddress=wt@example.test&toaddresses=a@example.test,b@example.test&encryption=None&usestarttls=No&auth=Plain`
      await createService(url, ctx()).send({ title: '[prod] Watchtower updates on box', body: 'web updated' })
      expect(auth).toEqual({ user: 'mailer', pass: 'p@ss' })
      expect(mails).toHaveLength(1)
      expect(mails[0]!.from).toBe('wt@example.test')
      expect(mails[0]!.to).toEqual(['a@example.test', 'b@example.test'])
      expect(mails[0]!.data).toContain('Subject: [prod] Watchtower updates on box')
      expect(mails[0]!.data).toContain('From: Watchtower <wt@example.test>')
      expect(mails[0]!.data).toContain('web updated')
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()))
    }
  })
})
