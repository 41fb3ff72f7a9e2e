// teams://GROUP@TENANT/ALTID/GROUPOWNER?host=ORG.webhook.office.com: a Teams MessageCard.
import { send } from '../_http.ts'
import { base, json } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const teams: ServiceFactory = ({ url, bad }, ctx) => {
  const q = url.searchParams
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
