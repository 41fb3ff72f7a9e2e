// gotify://HOST[:PORT][/PATH]/TOKEN: POST /message with the X-Gotify-Key header.
import { send } from '../_http.ts'
import { dec, yes } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const gotify: ServiceFactory = ({ url, bad }) => {
  const q = url.searchParams
  const segs = url.pathname.split('/').filter(Boolean)
  const token = dec(segs.pop() ?? '')
  if (!token) throw bad('expected gotify://HOST[:PORT][/PATH]/TOKEN')
  const proto = yes(q.get('disabletls')) ? 'http' : 'https'
  const target = new URL(`${proto}://${url.host}${segs.length ? `/${segs.join('/')}` : ''}/message`)
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
