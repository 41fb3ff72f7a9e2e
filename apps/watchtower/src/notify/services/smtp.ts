// smtp://[USER:PASS@]HOST[:PORT]/?fromaddress=FROM&toaddresses=TO[,TO]: mail
// through nodemailer, which is loaded on the first mail (runs without smtp://
// never load it).
import type { Transporter } from 'nodemailer'
import { NotifyError } from '../errors.ts'
import { dec, yes } from './_url.ts'
import type { ServiceFactory } from './types.ts'

export const smtp: ServiceFactory = ({ url, bad }) => {
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
