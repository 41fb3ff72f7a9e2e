import { randomBytes } from 'node:crypto'
import { closeSync, constants, fchmodSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { resolveConfig } from '../config/resolve.ts'
import type { CliDeps } from '../deps.ts'
import { legacyNotificationUrls } from '../notify/legacy.ts'

/**
 * `watchtower notify-upgrade`: converts the legacy notification flags into
 * notification URLs and writes `WATCHTOWER_NOTIFICATION_URL=...` to an env
 * file (in `WATCHTOWER_NOTIFY_UPGRADE_DIR`, default `/`, as upstream).
 *
 * The file holds secrets and the folder may be shared and world-writable, so, like upstream's
 * `os.CreateTemp`, it gets a random name and is created exclusively (`O_EXCL`: never an existing
 * file) without following a symlink (`O_NOFOLLOW`), with mode 0600.
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
  const file = writeExclusive(dir, `WATCHTOWER_NOTIFICATION_URL=${all.join(' ')}\n`)
  deps.stdout.write(
    `Wrote ${all.length} notification URL(s) to ${file} (the file holds secrets: delete it after use)\n`,
  )
}

// --- internal ---

function writeExclusive(dir: string, text: string): string {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  for (let attempt = 0; ; attempt++) {
    const file = join(dir, `watchtower-notifications-${randomBytes(8).toString('hex')}.env`)
    let fd: number
    try {
      fd = openSync(file, flags, 0o600)
    } catch (error) {
      // a name taken by chance (or planted): draw another; anything else is the caller's error
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue
      throw error
    }
    try {
      fchmodSync(fd, 0o600)
      writeSync(fd, text)
    } finally {
      closeSync(fd)
    }
    return file
  }
}
