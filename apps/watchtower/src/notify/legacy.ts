// Legacy notification flags → shoutrrr URLs (upstream pkg/notifications/*.go GetURL).
import type { LegacyNotificationConfig } from '../config/types.ts'
import { ConfigError } from '../errors.ts'

const enc = encodeURIComponent

/** Turns the legacy `--notifications` types and their flags into notification URLs. */
export function legacyNotificationUrls(legacy: LegacyNotificationConfig): {
  urls: string[]
  warnings: string[]
} {
  const urls: string[] = []
  const warnings: string[] = []
  for (const type of legacy.types) {
    switch (type) {
      case 'email':
        urls.push(emailUrl(legacy))
        break
      case 'slack':
        urls.push(slackUrl(legacy))
        break
      case 'msteams':
        urls.push(teamsUrl(legacy.msteamsHook))
        break
      case 'gotify': {
        const r = gotifyUrl(legacy)
        urls.push(r.url)
        warnings.push(...r.warnings)
        break
      }
      case 'shoutrrr':
        break
    }
  }
  return { urls, warnings }
}

function emailUrl(l: LegacyNotificationConfig): string {
  if (!l.emailServer)
    throw new ConfigError('--notification-email-server is required for email notifications', {
      source: '--notification-email-server',
    })
  const auth = l.emailServerUser ? `${enc(l.emailServerUser)}:${enc(l.emailServerPassword)}@` : ''
  const q = new URLSearchParams({
    auth: l.emailServerUser ? 'Plain' : 'None',
    clienthost: 'localhost',
    encryption: l.emailServerTlsSkipVerify ? 'None' : 'Auto',
    fromaddress: l.emailFrom,
    fromname: 'Watchtower',
    usestarttls: l.emailServerTlsSkipVerify ? 'No' : 'Yes',
    toaddresses: l.emailTo,
    usehtml: 'No',
  })
  return `smtp://${auth}${l.emailServer}:${l.emailServerPort}/?${q}`
}

function slackUrl(l: LegacyNotificationConfig): string {
  const hook = l.slackHookUrl.replace(/\/+$/, '')
  if (!hook)
    throw new ConfigError('--notification-slack-hook-url is required for slack notifications', {
      source: '--notification-slack-hook-url',
    })
  const parts = hook.replace(/^https?:\/\//, '').split('/')
  if (parts[0] === 'discord.com' || parts[0] === 'discordapp.com') {
    const token = parts.at(-1)!
    const id = parts.at(-2)!
    const q = new URLSearchParams({ color: '0x5865f2', splitlines: 'Yes', username: l.slackIdentifier })
    if (l.slackIconUrl) q.set('avatar', l.slackIconUrl)
    return `discord://${enc(token)}@${id}?${q}`
  }
  const token = hook
    .replace(/^https:\/\/hooks\.slack\.com\/services\//, '')
    .split('/')
    .join('-')
  const q = new URLSearchParams({ botname: l.slackIdentifier, color: '#81e0ab' })
  if (l.slackIconUrl) q.set('icon', l.slackIconUrl)
  else if (l.slackIconEmoji) q.set('icon', l.slackIconEmoji)
  if (l.slackChannel) q.set('channel', l.slackChannel)
  return `slack://hook:${enc(token)}@webhook?${q}`
}

function teamsUrl(hook: string): string {
  if (!hook)
    throw new ConfigError('--notification-msteams-hook is required for msteams notifications', {
      source: '--notification-msteams-hook',
    })
  let u: URL
  try {
    u = new URL(hook)
  } catch (cause) {
    throw new ConfigError('--notification-msteams-hook is not a URL', {
      source: '--notification-msteams-hook',
      cause,
    })
  }
  // /webhookb2/<group>@<tenant>/IncomingWebhook/<altId>/<groupOwner>
  const m = /\/webhookb2\/([^/@]+)@([^/]+)\/IncomingWebhook\/([^/]+)\/([^/]+)/.exec(u.pathname)
  if (!m)
    throw new ConfigError(
      '--notification-msteams-hook is not a Teams webhook URL (…/webhookb2/…/IncomingWebhook/…)',
      {
        source: '--notification-msteams-hook',
      },
    )
  return `teams://${m[1]}@${m[2]}/${m[3]}/${m[4]}?host=${u.host}`
}

function gotifyUrl(l: LegacyNotificationConfig): { url: string; warnings: string[] } {
  const warnings: string[] = []
  if (!/^https?:\/\//.test(l.gotifyUrl)) {
    throw new ConfigError('--notification-gotify-url must start with "http://" or "https://"', {
      source: '--notification-gotify-url',
    })
  }
  if (!l.gotifyToken)
    throw new ConfigError('--notification-gotify-token is required for gotify notifications', {
      source: '--notification-gotify-token',
    })
  const u = new URL(l.gotifyUrl)
  const q = new URLSearchParams()
  if (u.protocol === 'http:') {
    warnings.push('using an HTTP URL for Gotify is insecure')
    q.set('disabletls', 'Yes')
  }
  if (l.gotifyTlsSkipVerify) q.set('tlsskipverify', 'Yes')
  const path = u.pathname.replace(/\/+$/, '')
  const qs = q.toString()
  return { url: `gotify://${u.host}${path}/${enc(l.gotifyToken)}${qs ? `?${qs}` : ''}`, warnings }
}
