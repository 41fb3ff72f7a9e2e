/**
 * Hostile webhooks (real loopback servers): an endless or trickling answer is cut at its cap or
 * at the total deadline, and an answer that echoes our request never puts a credential in an error.
 */
import { Buffer } from 'node:buffer'
import { type HostileServer, hostile, hostileServer } from '@watchtower-ts/testbed'
import { afterEach, describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { send } from './_http.ts'
import { createService } from './services.ts'

const servers: HostileServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function webhook(): Promise<HostileServer> {
  const s = await hostileServer()
  servers.push(s)
  return s
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e as Error,
  )

describe('notification answers are bounded', () => {
  it('an endless answer stops at the 64 KiB cap, naming the URL (no path) and the cap', async () => {
    const hook = await webhook()
    hook.route('/hooks/SECRET-PATH-TOKEN-0123456789', hostile.endless())
    const e = await failure(
      send('generic', new URL(`${hook.url}/hooks/SECRET-PATH-TOKEN-0123456789`), { body: 'x' }),
    )
    expect(e.message).toBe(
      `generic: the answer of ${hook.url}/… (HTTP 200) is larger than the 65536-byte cap; reading stopped`,
    )
  })

  it('an answer that trickles a byte every 50 ms is cut at the total deadline (an idle timeout never fires)', async () => {
    const hook = await webhook()
    hook.route('/hook', hostile.trickle(50))
    const started = Date.now()
    const e = await failure(send('generic', new URL(`${hook.url}/hook`), { body: 'x', timeoutMs: 600 }))
    expect(e.message).toBe(
      `generic: the answer of ${hook.url}/… (HTTP 200) did not end within 600 ms; reading stopped`,
    )
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a webhook echoing our headers in its error never puts base64(user:password) in the message', async () => {
    const hook = await webhook()
    hook.route('/updates', hostile.echoHeaders(400))
    const basic = Buffer.from('ops:Hunter2-ntfy-Pass').toString('base64')
    const service = createService(`ntfy://ops:Hunter2-ntfy-Pass@${hook.host}/updates?scheme=http`, {
      logInfo: () => {},
      stdout: capture(),
      logStdout: false,
    })
    const e = await failure(service.send({ body: 'x' }))
    expect(hook.requests[0]?.headers.authorization).toBe(`Basic ${basic}`)
    expect(e.message).toMatch(/^ntfy: the server at http:\/\/127\.0\.0\.1:\d+\/… answered HTTP 400: /)
    expect(e.message).not.toContain(basic)
    expect(e.message).not.toContain('Hunter2-ntfy-Pass')
  })

  it('escape codes in an error answer are stripped before they reach a terminal', async () => {
    const hook = await webhook()
    hook.route('/hook', hostile.json(500, 'oops\x1b[2K\r\x1b[32mall good\x1b[0m'))
    const e = await failure(send('generic', new URL(`${hook.url}/hook`), { body: 'x' }))
    expect(e.message).toContain('answered HTTP 500: oopsall good')
    expect(e.message).not.toContain('\x1b')
  })
})
