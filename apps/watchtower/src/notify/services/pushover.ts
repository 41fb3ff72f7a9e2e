// pushover://shoutrrr:APITOKEN@USERKEY: a form POST to /1/messages.json.
import { send } from '../_http.ts'
import { base, dec, rawHost } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const pushover: ServiceFactory = ({ raw, url, bad }, ctx) => {
  const q = url.searchParams
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
