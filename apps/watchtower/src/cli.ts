// cac declarations only: the commands and their options. Each action lazy-loads
// its command module. Values are read by config/resolve.ts (pflag rules), so
// cac never casts a token or scope to a number.
import { cac } from 'cac'
import { FLAGS } from './config/_flags.ts'
import type { CliDeps } from './deps.ts'

export function createCli(deps: CliDeps) {
  const cli = cac('watchtower')
  const declare = (cmd: ReturnType<typeof cli.command>) => {
    for (const f of FLAGS) {
      const arg = f.kind === 'bool' ? '' : ` <${f.arg ?? 'value'}>`
      cmd.option(`${f.short ? `-${f.short}, ` : ''}--${f.name}${arg}`, f.description)
    }
    return cmd.allowUnknownOptions()
  }
  declare(
    cli.command(
      'notify-upgrade',
      'Write the legacy notification flags as WATCHTOWER_NOTIFICATION_URL to an env file',
    ),
  ).action(async () => {
    const { notifyUpgrade } = await import('./commands/notify-upgrade.ts')
    return notifyUpgrade(argvWithout(cli.rawArgs.slice(2), 'notify-upgrade'), deps)
  })
  declare(cli.command('[...containers]', 'Watch containers and update them when their image changes')).action(
    async () => {
      const { watch } = await import('./commands/watch.ts')
      return watch(cli.rawArgs.slice(2), deps)
    },
  )
  cli.option('-h, --help', 'Show this help')
  cli.option('--version', 'Show the version')
  return cli
}

function argvWithout(argv: string[], word: string): string[] {
  const i = argv.indexOf(word)
  return i === -1 ? argv : [...argv.slice(0, i), ...argv.slice(i + 1)]
}
