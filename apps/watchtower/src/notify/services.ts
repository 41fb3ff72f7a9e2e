// Notification services from shoutrrr-style URLs. Each sends the request shape
// its vendor documents. `endpoints` (tests only) replaces the fixed vendor base
// URL (hooks.slack.com, discord.com, api.telegram.org, api.pushover.net, the
// Teams host) with a loopback server; it is never read from a user's URL.
import type { Transporter } from 'nodemailer'
import type { OutputStream } from '../deps.ts'
import { send } from './_http.ts'
import { NotifyError } from './errors.ts'

export interface Message {
  title?: string
  body: string
}

export interface Service {
  /** `slack`, `smtp`, ... */
  readonly kind: string
  /** Safe to print: scheme and non-secret host only. */
  readonly description: string
  send(message: Message): Promise<void>
}

export type FixedHostService = 'slack' | 'discord' | 'telegram' | 'pushover' | 'teams'

export interface ServiceContext {
  /** Info logger for logger:// when not writing to stdout. */
  logInfo: (message: string) => void
  stdout: OutputStream
  /** --notification-log-stdout */
  logStdout: boolean
  /** Tests only: base URL (http://127.0.0.1:PORT) replacing a vendor's fixed host. */
  endpoints?: Partial<Record<FixedHostService, string>>
}

const yes = (v: string | null | undefined, dflt = false) =>
  v == null || v === '' ? dflt : /^(yes|true|1|y)$/i.test(v)
const dec = decodeURIComponent

/** The host part as written (URL lowercases hosts; tokens in that position are case-sensitive). */
function rawHost(raw: string): string {
  const rest = raw.slice(raw.indexOf('://') + 3)
  const end = rest.search(/[/?#]/)
  const authority = end === -1 ? rest : rest.slice(0, end)
  return authority.slice(authority.lastIndexOf('@') + 1)
}

function base(ctx: ServiceContext, kind: FixedHostService, real: string): string {
  return (ctx.endpoints?.[kind] ?? real).replace(/\/+$/, '')
}

function json(body: unknown) {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

/** Parses one notification URL into a service; throws NotifyError naming the scheme and what is wrong. */
export function createService(raw: string, ctx: ServiceContext): Service {
  let url: URL
  try {
    url = new URL(raw)
  } catch (cause) {
    const scheme = /^([a-z0-9+]+):/i.exec(raw)?.[1] ?? 'unknown'
    throw new NotifyError(scheme, `notification URL for "${scheme}" is not a valid URL`, { cause })
  }
  const scheme = url.protocol.slice(0, -1)
  const q = url.searchParams
  const bad = (what: string) => new NotifyError(scheme, `notification URL ${scheme}://…: ${what}`)
  switch (scheme) {
    case 'logger':
      return {
        kind: 'logger',
        description: 'logger',
        async send(m) {
          if (ctx.logStdout) ctx.stdout.write(m.body.endsWith('\n') ? m.body : `${m.body}\n`)
          else ctx.logInfo(m.body)
        },
      }
    case 'smtp':
      return smtp(url, bad)
    case 'slack': {
      const parts = [url.username, url.password, rawHost(raw), ...url.pathname.split('/')]
        .map(dec)
        .filter(Boolean)
      let token: string
      if (url.username === 'hook') token = dec(url.password)
      else
        token = parts
          .filter((p) => p !== 'webhook')
          .slice(-3)
          .join('-')
      const tokens = token.split('-')
      if (tokens.length !== 3)
        throw bad('expected slack://hook:A-B-C@webhook (the three parts of the webhook URL)')
      const target = new URL(`${base(ctx, 'slack', 'https://hooks.slack.com')}/services/${tokens.join('/')}`)
      const icon = q.get('icon') ?? ''
      return {
        kind: 'slack',
        description: 'slack',
        async send(m) {
          await send('slack', target, {
            ...json({
              text: m.title ? `*${m.title}*\n${m.body}` : m.body,
              ...(q.get('botname') ? { username: q.get('botname') } : {}),
              ...(icon ? (/^https?:/.test(icon) ? { icon_url: icon } : { icon_emoji: icon }) : {}),
              ...(q.get('channel') ? { channel: q.get('channel') } : {}),
            }),
          })
        },
      }
    }
    case 'discord': {
      const token = dec(url.username)
      const id = rawHost(raw)
      if (!token || !id) throw bad('expected discord://TOKEN@WEBHOOK_ID')
      const target = new URL(
        `${base(ctx, 'discord', 'https://discord.com')}/api/webhooks/${id}/${encodeURIComponent(token)}`,
      )
      const color = Number.parseInt(q.get('color') ?? '0x50D9ff', 16) || 0x50d9ff
      return {
        kind: 'discord',
        description: 'discord',
        async send(m) {
          await send('discord', target, {
            ...json({
              embeds: [
                {
                  ...(m.title ? { title: m.title.slice(0, 256) } : {}),
                  description: m.body.slice(0, 4096),
                  color,
                },
              ],
              ...(q.get('username') ? { username: q.get('username') } : {}),
              ...(q.get('avatar') ? { avatar_url: q.get('avatar') } : {}),
            }),
          })
        },
      }
    }
    case 'teams': {
      const host = q.get('host')
      const [altId, groupOwner] = url.pathname.split('/').filter(Boolean)
      if (!host || !url.username || !altId || !groupOwner) {
        throw bad('expected teams://GROUP@TENANT/ALTID/GROUPOWNER?host=ORG.webhook.office.com')
      }
      const path = `/webhookb2/${url.username}@${url.hostname}/IncomingWebhook/${altId}/${groupOwner}`
      const target = new URL(`${base(ctx, 'teams', `https://${host}`)}${path}`)
      return {
        kind: 'teams',
        description: `teams (${host})`,
        async send(m) {
          await send('teams', target, {
            ...json({
              '@type': 'MessageCard',
              '@context': 'https://schema.org/extensions',
              summary: m.title ?? m.body.split('\n')[0]!.slice(0, 80),
              ...(m.title ? { title: m.title } : {}),
              themeColor: q.get('color') ?? '0078D7',
              text: m.body.replace(/\n/g, '<br>'),
            }),
          })
        },
      }
    }
    case 'gotify': {
      const segs = url.pathname.split('/').filter(Boolean)
      const token = dec(segs.pop() ?? '')
      if (!token) throw bad('expected gotify://HOST[:PORT][/PATH]/TOKEN')
      const scheme2 = yes(q.get('disabletls')) ? 'http' : 'https'
      const target = new URL(`${scheme2}://${url.host}${segs.length ? `/${segs.join('/')}` : ''}/message`)
      const priority = Number(q.get('priority') ?? '0')
      return {
        kind: 'gotify',
        description: `gotify (${url.host})`,
        async send(m) {
          await send('gotify', target, {
            headers: { 'content-type': 'application/json', 'x-gotify-key': token },
            body: JSON.stringify({
              title: m.title ?? q.get('title') ?? 'Watchtower',
              message: m.body,
              priority,
            }),
            insecure: yes(q.get('tlsskipverify')),
          })
        },
      }
    }
    case 'ntfy': {
      const topic = url.pathname.split('/').filter(Boolean).join('/')
      if (!topic) throw bad('expected ntfy://[USER:PASS@]HOST/TOPIC')
      const host = url.host || 'ntfy.sh'
      const target = new URL(`${q.get('scheme') ?? 'https'}://${host}/${topic}`)
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' }
      if (url.username)
        headers.authorization = `Basic ${Buffer.from(`${dec(url.username)}:${dec(url.password)}`).toString('base64')}`
      else if (url.password) headers.authorization = `Bearer ${dec(url.password)}`
      for (const k of ['priority', 'tags', 'click', 'icon']) if (q.get(k)) headers[k] = q.get(k)!
      return {
        kind: 'ntfy',
        description: `ntfy (${host}/${topic})`,
        async send(m) {
          const title = m.title ?? q.get('title')
          await send('ntfy', target, { headers: { ...headers, ...(title ? { title } : {}) }, body: m.body })
        },
      }
    }
    case 'telegram': {
      const token = `${dec(url.username)}${url.password ? `:${dec(url.password)}` : ''}`
      const chats = (q.get('chats') ?? q.get('channels') ?? '').split(',').filter(Boolean)
      if (!token || chats.length === 0) throw bad('expected telegram://TOKEN@telegram?chats=CHAT[,CHAT]')
      const target = new URL(`${base(ctx, 'telegram', 'https://api.telegram.org')}/bot${token}/sendMessage`)
      const mode = q.get('parsemode')
      return {
        kind: 'telegram',
        description: 'telegram',
        async send(m) {
          for (const chat of chats) {
            await send('telegram', target, {
              ...json({
                chat_id: chat,
                text: m.title ? `${m.title}\n${m.body}` : m.body,
                ...(mode && mode.toLowerCase() !== 'none' ? { parse_mode: mode } : {}),
                ...(q.has('notification') ? { disable_notification: !yes(q.get('notification'), true) } : {}),
                ...(q.has('preview') ? { disable_web_page_preview: !yes(q.get('preview'), true) } : {}),
              }),
            })
          }
        },
      }
    }
    case 'pushover': {
      const token = dec(url.password)
      const user = rawHost(raw)
      if (!token || !user) throw bad('expected pushover://shoutrrr:APITOKEN@USERKEY')
      const target = new URL(`${base(ctx, 'pushover', 'https://api.pushover.net')}/1/messages.json`)
      return {
        kind: 'pushover',
        description: 'pushover',
        async send(m) {
          const form = new URLSearchParams({ token, user, message: m.body })
          const title = m.title ?? q.get('title')
          if (title) form.set('title', title)
          if (q.get('devices')) form.set('device', q.get('devices')!)
          if (q.get('priority')) form.set('priority', q.get('priority')!)
          await send('pushover', target, {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          })
        },
      }
    }
    default:
      if (scheme === 'generic' || scheme.startsWith('generic+')) return generic(url, scheme, bad)
      throw new NotifyError(scheme, `unknown notification service "${scheme}://"`)
  }
}

function generic(url: URL, scheme: string, bad: (w: string) => NotifyError): Service {
  const q = url.searchParams
  const proto =
    scheme === 'generic' ? (yes(q.get('disabletls')) ? 'http' : 'https') : scheme.slice('generic+'.length)
  if (proto !== 'http' && proto !== 'https') throw bad('use generic://, generic+http:// or generic+https://')
  const target = new URL(`${proto}://${url.host}${url.pathname}`)
  if (url.username || url.password) target.username = url.username
  if (url.password) target.password = url.password
  const headers: Record<string, string> = { 'content-type': q.get('contenttype') ?? 'application/json' }
  const extra: Record<string, string> = {}
  const reserved = new Set([
    'template',
    'contenttype',
    'requestmethod',
    'disabletls',
    'titlekey',
    'messagekey',
    'title',
  ])
  for (const [k, v] of q) {
    if (k.startsWith('@')) headers[k.slice(1).toLowerCase()] = v
    else if (k.startsWith('$')) extra[k.slice(1)] = v
    else if (!reserved.has(k)) target.searchParams.append(k, v)
  }
  if (target.username) {
    headers.authorization = `Basic ${Buffer.from(`${dec(target.username)}:${dec(target.password)}`).toString('base64')}`
    target.username = ''
    target.password = ''
  }
  return {
    kind: 'generic',
    description: `generic (${url.host})`,
    async send(m) {
      let body = m.body
      if (q.get('template') === 'json') {
        const title = m.title ?? q.get('title')
        body = JSON.stringify({
          ...extra,
          ...(title ? { [q.get('titlekey') ?? 'title']: title } : {}),
          [q.get('messagekey') ?? 'message']: m.body,
        })
      }
      await send('generic', target, { method: q.get('requestmethod') ?? 'POST', headers, body })
    },
  }
}

function smtp(url: URL, bad: (w: string) => NotifyError): Service {
  const q = url.searchParams
  const from = q.get('fromaddress') ?? q.get('from') ?? ''
  const to = (q.get('toaddresses') ?? q.get('to') ?? '').split(',').filter(Boolean)
  if (!from || to.length === 0 || !url.hostname) {
    throw bad('expected smtp://[USER:PASS@]HOST[:PORT]/?fromaddress=FROM&toaddresses=TO[,TO]')
  }
  const port = Number(url.port || '25')
  const encryption = (q.get('encryption') ?? 'Auto').toLowerCase()
  const startTls = yes(q.get('usestarttls') ?? q.get('starttls'), true)
  const implicit = encryption === 'implicittls' || (encryption === 'auto' && port === 465)
  const user = dec(url.username)
  const auth = (q.get('auth') ?? (user ? 'Plain' : 'None')).toLowerCase()
  // nodemailer is loaded on the first mail, so runs without smtp:// never load it
  let transport: Promise<Transporter> | undefined
  const connect = async (): Promise<Transporter> => {
    const { createTransport } = await import('nodemailer')
    return createTransport({
      host: url.hostname,
      port,
      secure: implicit,
      ignoreTLS: encryption === 'none' || (!startTls && !implicit),
      requireTLS: encryption === 'explicittls',
      name: q.get('clienthost') ?? 'localhost',
      ...(user && auth !== 'none' ? { auth: { user, pass: dec(url.password) } } : {}),
      ...(auth === 'plain' ? { authMethod: 'PLAIN' } : {}),
      connectionTimeout: 30_000,
    })
  }
  const fromName = q.get('fromname') ?? 'Watchtower'
  return {
    kind: 'smtp',
    description: `smtp (${url.host})`,
    async send(m) {
      const subject = m.title ?? q.get('subject') ?? 'Watchtower updates'
      try {
        transport ??= connect()
        await (await transport).sendMail({
          from: { name: fromName, address: from },
          to,
          subject,
          ...(yes(q.get('usehtml')) ? { html: m.body } : { text: m.body }),
        })
      } catch (cause) {
        throw new NotifyError('smtp', `smtp: sending to ${url.host} failed: ${(cause as Error).message}`, {
          cause,
        })
      }
    },
  }
}
