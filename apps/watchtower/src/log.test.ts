import { describe, expect, it } from 'vitest'
import { capture } from '../test/cli-deps.ts'
import { resolveConfig } from './config/resolve.ts'
import { configSecrets, createLogger, proxySecrets } from './log.ts'
import type { LogEntry } from './notify/templates.ts'

const T0 = Date.UTC(2026, 0, 1)

describe('logger', () => {
  it('strips terminal control characters a registry or file supplied, in every format', () => {
    for (const format of ['pretty', 'logfmt', 'json'] as const) {
      const out = Object.assign(capture(), { isTTY: true })
      createLogger({ level: 'info', format, noColor: true, stream: out, now: () => T0 }).warn(
        { tag: 'v1\x1b[2K\r\x1b[32mOK' },
        'manifest of evil\x1b[1A\x9b2J',
      )
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
      expect(out.text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/)
      expect(out.text).not.toContain('\\u001b')
      expect(out.text).toContain('manifest of evil')
    }
  })
  it('never logs base64(user:password) of a notification URL, nor URL userinfo', () => {
    const { config } = resolveConfig({
      argv: ['--notification-url', 'generic://hookuser:Hook-Pa55@hooks.example/x'],
      env: {},
      hostname: 'h',
    })
    const out = capture()
    const log = createLogger({
      level: 'info',
      format: 'logfmt',
      noColor: true,
      stream: out,
      secrets: configSecrets(config),
    })
    const echoed = Buffer.from('hookuser:Hook-Pa55').toString('base64')
    log.error(`generic: answered HTTP 400: {"auth":"${echoed}"} see https://someone:else@x.example/`)
    expect(out.text).not.toContain(echoed)
    expect(out.text).not.toContain('Hook-Pa55')
    expect(out.text).not.toContain('someone:else')
  })
  it('never logs the credentials of HTTPS_PROXY / http_proxy (as written, decoded, or as a Basic value)', () => {
    const env = {
      HTTPS_PROXY: 'http://proxyuser:Pr%40xy-Pa55@proxy.example:3128',
      http_proxy: 'proxy.lan:3128',
    }
    const out = capture()
    const log = createLogger({
      level: 'trace',
      format: 'logfmt',
      noColor: true,
      stream: out,
      secrets: proxySecrets(env),
    })
    const basic = Buffer.from('proxyuser:Pr@xy-Pa55').toString('base64')
    log.trace(
      `proxy said 407 for ${env.HTTPS_PROXY}; header Basic ${basic}; decoded Pr@xy-Pa55; raw Pr%40xy-Pa55`,
    )
    for (const secret of [env.HTTPS_PROXY, 'Pr@xy-Pa55', 'Pr%40xy-Pa55', basic])
      expect(out.text).not.toContain(secret)
    expect(out.text).toContain('proxy said 407')
    expect(proxySecrets({ HTTP_PROXY: 'proxy.lan:3128' })).toEqual([])
  })
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
