import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../config/resolve.ts'
import { legacyNotificationUrls } from './legacy.ts'

const urls = (argv: string[]) => {
  const { config } = resolveConfig({ argv, env: {}, hostname: 'h', readSecretFile: () => undefined })
  return legacyNotificationUrls(config.legacy)
}

describe('legacy notification flags → URLs', () => {
  it('email with auth', () => {
    const [u] = urls([
      '-n',
      'email',
      '--notification-email-from',
      'wt@x.test',
      '--notification-email-to',
      'ops@x.test',
      '--notification-email-server',
      '127.0.0.1',
      '--notification-email-server-port',
      '2525',
      '--notification-email-server-user',
      'user',
      '--notification-email-server-password',
      'p@ss:w',
      '--notification-email-subjecttag',
      'prod',
    ]).urls
    const url = new URL(u!)
    expect(url.protocol).toBe('smtp:')
    expect([
      url.hostname,
      url.port,
      decodeURIComponent(url.username),
      decodeURIComponent(url.password),
    ]).toEqual(['127.0.0.1', '2525', 'user', 'p@ss:w'])
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      auth: 'Plain',
      fromaddress: 'wt@x.test',
      toaddresses: 'ops@x.test',
      fromname: 'Watchtower',
      usestarttls: 'Yes',
    })
  })
  it('email with tls-skip-verify: no encryption and no STARTTLS, auth None without user', () => {
    const url = new URL(
      urls(['-n', 'email', '--notification-email-server', 'm', '--notification-email-server-tls-skip-verify'])
        .urls[0]!,
    )
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      auth: 'None',
      encryption: 'None',
      usestarttls: 'No',
    })
  })
  it('slack hook → slack://, with the channel passed through', () => {
    expect(
      urls([
        '-n',
        'slack',
        '--notification-slack-hook-url',
        'https://hooks.slack.com/services/T1/B2/XYZ',
        '--notification-slack-icon-emoji',
        ':whale:',
        '--notification-slack-channel',
        '#ops',
      ]).urls,
    ).toEqual([
      'slack://hook:T1-B2-XYZ@webhook?botname=watchtower&color=%2381e0ab&icon=%3Awhale%3A&channel=%23ops',
    ])
  })
  it('a discord hook given as slack → discord://', () => {
    expect(
      urls([
        '-n',
        'slack',
        '--notification-slack-hook-url',
        'https://discord.com/api/webhooks/123/tok',
        '--notification-slack-icon-url',
        'https://i.test/a.png',
      ]).urls,
    ).toEqual([
      'discord://tok@123?color=0x5865f2&splitlines=Yes&username=watchtower&avatar=https%3A%2F%2Fi.test%2Fa.png',
    ])
  })
  it('msteams hook → teams://', () => {
    expect(
      urls([
        '-n',
        'msteams',
        '--notification-msteams-hook',
        'https://org.webhook.office.com/webhookb2/g1@t1/IncomingWebhook/a1/o1',
      ]).urls,
    ).toEqual(['teams://g1@t1/a1/o1?host=org.webhook.office.com'])
  })
  it('gotify over http warns and disables TLS; skip-verify is honoured', () => {
    const r = urls([
      '-n',
      'gotify',
      '--notification-gotify-url',
      'http://127.0.0.1:8000/sub/',
      '--notification-gotify-token',
      'T',
      '--notification-gotify-tls-skip-verify',
    ])
    expect(r.urls).toEqual(['gotify://127.0.0.1:8000/sub/T?disabletls=Yes&tlsskipverify=Yes'])
    expect(r.warnings[0]).toMatch(/insecure/)
  })
  it('missing or bad values name the flag', () => {
    expect(() => urls(['-n', 'msteams'])).toThrow(/--notification-msteams-hook is required/)
    expect(() => urls(['-n', 'gotify', '--notification-gotify-url', 'g.test'])).toThrow(
      /must start with "http:\/\/"/,
    )
    expect(() => urls(['-n', 'slack'])).toThrow(/--notification-slack-hook-url/)
    expect(() => urls(['-n', 'email'])).toThrow(/--notification-email-server/)
  })
  it('shoutrrr type adds nothing', () => {
    expect(urls(['-n', 'shoutrrr']).urls).toEqual([])
  })
})
