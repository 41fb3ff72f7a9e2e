import { describe, expect, it } from 'vitest'
import { resolveConfig } from './config/resolve.ts'
import { configSecrets, createLogger } from './log.ts'
import type { LogEntry } from './notify/templates.ts'
import { capture } from './test-utils.ts'

const T0 = Date.UTC(2026, 0, 1)

describe('logger', () => {
  it('json format', () => {
    const out = capture()
    const log = createLogger({ level: 'info', format: 'json', noColor: true, stream: out, now: () => T0 })
    log.info({ container: 'web' }, 'Found new image')
    log.debug('hidden')
    expect(JSON.parse(out.text)).toEqual({
      level: 'info',
      time: '2026-01-01T00:00:00.000Z',
      msg: 'Found new image',
      container: 'web',
    })
  })
  it('logfmt format (and auto on a non-TTY)', () => {
    for (const format of ['logfmt', 'auto'] as const) {
      const out = capture()
      createLogger({ level: 'info', format, noColor: false, stream: out, now: () => T0 }).warn(
        { image: 'a b' },
        'Could not do a head request',
      )
      expect(out.text).toBe(
        'time="2026-01-01T00:00:00.000Z" level=warn msg="Could not do a head request" image="a b"\n',
      )
    }
  })
  it('pretty format: colours only on a TTY and without --no-color', () => {
    const tty = Object.assign(capture(), { isTTY: true })
    createLogger({ level: 'info', format: 'auto', noColor: false, stream: tty, now: () => T0 }).info('hello')
    expect(tty.text).toContain('\x1b[36mINFO[0000]\x1b[0m hello')
    const plain = Object.assign(capture(), { isTTY: true })
    createLogger({ level: 'info', format: 'pretty', noColor: true, stream: plain, now: () => T0 }).info(
      'hello',
    )
    expect(plain.text).toBe('INFO[0000] hello\n')
  })
  it('levels: trace shows everything, error hides info', () => {
    const out = capture()
    const log = createLogger({ level: 'trace', format: 'logfmt', noColor: true, stream: out })
    log.trace('t')
    log.debug('d')
    expect(out.text.split('\n').filter(Boolean)).toHaveLength(2)
    const out2 = capture()
    const log2 = createLogger({ level: 'error', format: 'logfmt', noColor: true, stream: out2 })
    log2.info('i')
    expect(out2.text).toBe('')
  })
  it('feeds entries to the notification hook', () => {
    const entries: LogEntry[] = []
    const log = createLogger({
      level: 'info',
      format: 'json',
      noColor: true,
      stream: capture(),
      onEntry: (e) => entries.push(e),
      now: () => T0,
    })
    log.info({ notify: false }, 'quiet')
    expect(entries[0]).toMatchObject({ level: 'info', message: 'quiet', data: { notify: false } })
  })
  it('never prints a secret, at any level and in any format, by value or by key', () => {
    const { config } = resolveConfig({
      argv: [
        '--http-api-token',
        'api-t0ken-value',
        '--notification-url',
        'ntfy://user:ntfy-pa55@127.0.0.1/topic',
        '--notification-url',
        'discord://disc0rdwebhooktokenvalue@123',
      ],
      env: { REPO_PASS: 'repo-pa55word' },
      readSecretFile: () => undefined,
      hostname: 'h',
    })
    const secrets = configSecrets(config)
    for (const format of ['json', 'logfmt', 'pretty'] as const) {
      const out = capture()
      const entries: LogEntry[] = []
      const log = createLogger({
        level: 'trace',
        format,
        noColor: true,
        stream: out,
        secrets,
        onEntry: (e) => entries.push(e),
      })
      for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
        log[level](
          { password: 'by-key-secret', nested: { token: 'nested-secret' }, url: config.notificationUrls[0] },
          `using api-t0ken-value and repo-pa55word ${config.notificationUrls[1]}`,
        )
        log[level](new Error('failed with "ntfy-pa55"'), 'error')
      }
      for (const s of [
        'api-t0ken-value',
        'repo-pa55word',
        'ntfy-pa55',
        'disc0rdwebhooktokenvalue',
        'by-key-secret',
        'nested-secret',
      ]) {
        expect(out.text).not.toContain(s)
        expect(JSON.stringify(entries)).not.toContain(s)
      }
      expect(out.text).toContain('***')
    }
  })
})
