import { FLAGS, type FlagGroup, type FlagSpec, GROUP_TITLES } from './_flags.ts'
import { formatGoDuration } from './_values.ts'

function def(f: FlagSpec): string {
  if (f.kind === 'bool') return '`false`'
  if (f.kind === 'duration') return `\`${formatGoDuration(f.default as number)}\``
  if (Array.isArray(f.default)) return '—'
  return f.default === '' ? '—' : `\`${String(f.default)}\``
}

/** The flags reference of the README (checked by a test so it never drifts from the code). */
export function renderFlagsMarkdown(): string {
  const out: string[] = []
  const groups = new Map<FlagGroup, FlagSpec[]>()
  for (const f of FLAGS) if (!f.hidden) groups.set(f.group, [...(groups.get(f.group) ?? []), f])
  for (const [group, flags] of groups) {
    out.push(`### ${GROUP_TITLES[group]}`, '', '| Flag | Env | Default | Meaning |', '|---|---|---|---|')
    for (const f of flags) {
      const flag = `\`--${f.name}\`${f.short ? ` (\`-${f.short}\`)` : ''}`
      const origin =
        f.origin === 'NF'
          ? ' _(from the nicholas-fedor fork)_'
          : f.origin === 'KP'
            ? ' _(from the kalvinparker fork)_'
            : ''
      out.push(
        `| ${flag} | ${f.env ? `\`${f.env}\`` : '—'} | ${def(f)} | ${f.description.replace(/\|/g, '\\|')}${origin} |`,
      )
    }
    out.push('')
  }
  return out.join('\n')
}
