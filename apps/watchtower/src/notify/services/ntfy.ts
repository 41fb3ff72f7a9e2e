// ntfy://[USER:PASS@]HOST/TOPIC: the body is the message, options are headers.
import { send } from '../_http.ts'
import { dec } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const ntfy: ServiceFactory = ({ url, bad }) => {
  const q = url.searchParams
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
