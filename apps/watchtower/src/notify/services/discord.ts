// discord://TOKEN@WEBHOOK_ID: Discord webhook, one embed per message.
import { send } from '../_http.ts'
import { base, dec, json, rawHost } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const discord: ServiceFactory = ({ raw, url, bad }, ctx) => {
  const q = url.searchParams
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
