// generic://, generic+http://, generic+https://: any webhook. The body is the
// message (or JSON with template=json); `@Name=` query keys become headers,
// `$key=` extra JSON fields, the other keys are forwarded.
import { send } from '../_http.ts'
import { dec, yes } from './_url.ts'
import type { ServiceFactory } from './types.ts'

const RESERVED = new Set([
  'template',
  'contenttype',
  'requestmethod',
  'disabletls',
  'titlekey',
  'messagekey',
  'title',
])

export const generic: ServiceFactory = ({ url, scheme, bad }) => {
  const q = url.searchParams
  const proto =
    scheme === 'generic' ? (yes(q.get('disabletls')) ? 'http' : 'https') : scheme.slice('generic+'.length)
  if (proto !== 'http' && proto !== 'https') throw bad('use generic://, generic+http:// or generic+https://')
  const target = new URL(`${proto}://${url.host}${url.pathname}`)
  if (url.username || url.password) target.username = url.username
  if (url.password) target.password = url.password
  const headers: Record<string, string> = { 'content-type': q.get('contenttype') ?? 'application/json' }
  const extra: Record<string, string> = {}
  for (const [k, v] of q) {
    if (k.startsWith('@')) headers[k.slice(1).toLowerCase()] = v
    else if (k.startsWith('$')) extra[k.slice(1)] = v
    else if (!RESERVED.has(k)) target.searchParams.append(k, v)
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
