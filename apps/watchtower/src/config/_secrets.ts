// Layer two of resolveConfig: values that may name a file (upstream's
// GetSecretsFromFiles) are replaced by the file's content, and
// --notification-template-file is read.
import { readFileSync, statSync } from 'node:fs'
import { ConfigError } from '../errors.ts'
import { FLAGS, type FlagSources, type FlagValues } from './_flags.ts'

/** Contents of `path` when it names an existing regular file, else undefined. */
export type ReadSecretFile = (path: string) => string | undefined

export function defaultReadSecretFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Upstream's rule: a value with a `:` anywhere but index 1 is never a path. */
export function mayBeSecretPath(value: string): boolean {
  const colon = value.indexOf(':')
  return value !== '' && (colon === -1 || colon === 1)
}

/**
 * Every `secretFile` flag whose value names a readable file takes the file's trimmed content;
 * for a list (notification URLs), each non-empty line of the file is one item.
 */
export function readSecretFiles(values: FlagValues, readSecret: ReadSecretFile): void {
  const writable = values as Record<string, string | string[] | number | boolean>
  for (const flag of FLAGS) {
    if (!flag.secretFile) continue
    const v = values[flag.name]
    if (typeof v === 'string') {
      if (!mayBeSecretPath(v)) continue
      const content = readSecret(v)
      if (content !== undefined) writable[flag.name] = content.trim()
    } else if (Array.isArray(v)) {
      const out: string[] = []
      for (const item of v) {
        const content = mayBeSecretPath(item) ? readSecret(item) : undefined
        if (content === undefined) out.push(item)
        else
          out.push(
            ...content
              .split(/\r?\n/)
              .map((l) => l.trim())
              .filter((l) => l !== ''),
          )
      }
      writable[flag.name] = out
    }
  }
}

/** The template named by --notification-template-file, or undefined when none is set. */
export function readTemplateFile(
  values: FlagValues,
  sources: FlagSources,
  readSecret: ReadSecretFile,
): string | undefined {
  const templateFile = values['notification-template-file']
  if (templateFile === '') return undefined
  const content = readSecret(templateFile)
  if (content === undefined) {
    throw new ConfigError(
      `cannot read the template file "${templateFile}" (${sources['notification-template-file']})`,
      {
        source: sources['notification-template-file'],
      },
    )
  }
  return content
}
