import { FLAGS, type FlagGroup, type FlagSpec, GROUP_TITLES } from './_flags.ts'
import { formatGoDuration } from './_values.ts'

function flagLabel(f: FlagSpec): string {
  const short = f.short ? `-${f.short}, ` : '    '
  const arg = f.kind === 'bool' ? '' : ` <${f.arg ?? 'value'}>`
  return `${short}--${f.name}${arg}`
}

function defaultText(f: FlagSpec): string {
  if (f.kind === 'bool') return ''
  if (f.kind === 'duration') return ` (default ${formatGoDuration(f.default as number)})`
  if (Array.isArray(f.default)) return ''
  if (f.default === '' || f.default === undefined) return ''
  return ` (default ${String(f.default)})`
}

/** `--help`: every flag grouped by topic, with its env var and default. */
export function renderHelp(version: string): string {
  const lines: string[] = [
    `watchtower ${version}: keeps running Docker containers up to date`,
    '',
    'Usage:',
    '  watchtower [options] [container names...]',
    '  watchtower notify-upgrade [options]   write legacy notification flags as WATCHTOWER_NOTIFICATION_URL',
    '',
    'Every option can also be set with the env var shown; a flag overrides its env var.',
    'Lists take commas or spaces; durations are Go durations (30s, 1m30s, 2h).',
  ]
  const groups = new Map<FlagGroup, FlagSpec[]>()
  for (const f of FLAGS) {
    if (f.hidden) continue
    groups.set(f.group, [...(groups.get(f.group) ?? []), f])
  }
  const width = Math.max(...FLAGS.filter((f) => !f.hidden).map((f) => flagLabel(f).length)) + 2
  for (const [group, flags] of groups) {
    lines.push('', `${GROUP_TITLES[group]}:`)
    for (const f of flags) {
      const env = f.env ? ` [${f.env}]` : ''
      const origin = f.origin && f.origin !== 'ours' ? ` (${f.origin})` : ''
      lines.push(`  ${flagLabel(f).padEnd(width)}${f.description}${defaultText(f)}${env}${origin}`)
    }
  }
  lines.push(
    '',
    'Other:',
    `  ${'-h, --help'.padEnd(width)}Show this help`,
    `  ${'    --version'.padEnd(width)}Show the version`,
    '',
    'Environment: REPO_USER / REPO_PASS (registry credentials), DOCKER_CONFIG (folder of config.json), TZ (schedule time zone).',
    '',
  )
  return lines.join('\n')
}
