import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveConfig } from '../config/resolve.ts'
import type { CliDeps } from '../deps.ts'
import { legacyNotificationUrls } from '../notify/legacy.ts'

/**
 * `watchtower notify-upgrade`: converts the legacy notification flags into
 * notification URLs and writes `WATCHTOWER_NOTIFICATION_URL=...` to an env
 * file (in `WATCHTOWER_NOTIFY_UPGRADE_DIR`, default `/`, as upstream).
 */
export async function notifyUpgrade(argv: readonly string[], deps: CliDeps): Promise<void> {
  const { config, help } = resolveConfig({
    argv,
    env: deps.env,
    hostname: deps.hostname,
    ...(deps.readSecretFile ? { readSecretFile: deps.readSecretFile } : {}),
  })
  if (help) {
    deps.stdout.write(
      'Usage: watchtower notify-upgrade [legacy notification flags]\n' +
        'Writes WATCHTOWER_NOTIFICATION_URL=... for the given legacy flags (and --notification-url) to an env file\n' +
        'in WATCHTOWER_NOTIFY_UPGRADE_DIR (default /). See watchtower --help for the flags.\n',
    )
    return
  }
  const { urls } = legacyNotificationUrls(config.legacy)
  const all = [...config.notificationUrls, ...urls]
  const dir = deps.env.WATCHTOWER_NOTIFY_UPGRADE_DIR || '/'
  const file = join(dir, `watchtower-notifications-${deps.now()}.env`)
  writeFileSync(file, `WATCHTOWER_NOTIFICATION_URL=${all.join(' ')}\n`, { mode: 0o600 })
  deps.stdout.write(
    `Wrote ${all.length} notification URL(s) to ${file} (the file holds secrets: delete it after use)\n`,
  )
}
