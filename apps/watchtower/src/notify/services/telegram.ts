// telegram://TOKEN@telegram?chats=CHAT[,CHAT]: one sendMessage per chat.
import { send } from '../_http.ts'
import { base, dec, json, yes } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const telegram: ServiceFactory = ({ url, bad }, ctx) => {
  const q = url.searchParams
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
