// Notification services from shoutrrr-style URLs: a registry mapping each URL
// scheme to its service's factory (one module per service in ./services/).
// Each service sends the request shape its vendor documents. `endpoints`
// (tests only) replaces the fixed vendor base URL (hooks.slack.com,
// discord.com, api.telegram.org, api.pushover.net, the Teams host) with a
// loopback server; it is never read from a user's URL.
import { NotifyError } from './errors.ts'
import { discord } from './services/discord.ts'
import { generic } from './services/generic.ts'
import { gotify } from './services/gotify.ts'
import { logger } from './services/logger.ts'
import { ntfy } from './services/ntfy.ts'
import { pushover } from './services/pushover.ts'
import { slack } from './services/slack.ts'
import { smtp } from './services/smtp.ts'
import { teams } from './services/teams.ts'
import { telegram } from './services/telegram.ts'
import type { Service, ServiceContext, ServiceFactory } from './services/types.ts'

export type { FixedHostService, Service, ServiceContext } from './services/types.ts'

/** Scheme (without `:`) -> factory. `generic+<proto>` schemes all go to `generic`, which checks the protocol. */
const SERVICES: ReadonlyMap<string, ServiceFactory> = new Map([
  ['logger', logger],
  ['smtp', smtp],
  ['slack', slack],
  ['discord', discord],
  ['teams', teams],
  ['gotify', gotify],
  ['ntfy', ntfy],
  ['telegram', telegram],
  ['pushover', pushover],
  ['generic', generic],
])

function factoryFor(scheme: string): ServiceFactory | undefined {
  return SERVICES.get(scheme) ?? (scheme.startsWith('generic+') ? SERVICES.get('generic') : undefined)
}

/** Parses one notification URL into a service; throws NotifyError naming the scheme and what is wrong. */
export function createService(raw: string, ctx: ServiceContext): Service {
  let url: URL
  try {
    url = new URL(raw)
  } catch (cause) {
    const scheme = /^([a-z0-9+]+):/i.exec(raw)?.[1] ?? 'unknown'
    throw new NotifyError(scheme, `notification URL for "${scheme}" is not a valid URL`, { cause })
  }
  const scheme = url.protocol.slice(0, -1)
  const factory = factoryFor(scheme)
  if (!factory) throw new NotifyError(scheme, `unknown notification service "${scheme}://"`)
  const bad = (what: string) => new NotifyError(scheme, `notification URL ${scheme}://…: ${what}`)
  return factory({ raw, url, scheme, bad }, ctx)
}
