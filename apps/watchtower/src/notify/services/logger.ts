// logger:// writes the message to the log, or to stdout with --notification-log-stdout.
import type { ServiceFactory } from './types.ts'

export const logger: ServiceFactory = (_target, ctx) => ({
  kind: 'logger',
  description: 'logger',
  async send(m) {
    if (ctx.logStdout) ctx.stdout.write(m.body.endsWith('\n') ? m.body : `${m.body}\n`)
    else ctx.logInfo(m.body)
  },
})
