// slack://hook:A-B-C@webhook or slack://A/B/C: Slack incoming webhook, JSON { text, ... }.
import { send } from '../_http.ts'
import { base, dec, json, rawHost } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const slack: ServiceFactory = ({ raw, url, bad }, ctx) => {
  const q = url.searchParams
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
