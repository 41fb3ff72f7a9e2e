// Layer one of resolveConfig: every flag's value from its default, then its env
// var, then the command line (a flag overrides its env var), each value parsed
// by its kind with Go's rules. Also the --porcelain preset, which only fills
// what the user did not give.
import { ConfigError } from '../errors.ts'
import { parseArgv } from './_argv.ts'
import { FLAGS, type Flag, type FlagName, type FlagSources, type FlagValues } from './_flags.ts'
import { parseGoBool, parseGoDuration, parseInteger, splitFields, splitList } from './_values.ts'

type Value = FlagValues[FlagName]

export interface Layered {
  values: FlagValues
  sources: FlagSources
  /** Remarks about how a value was read (a bare number in a duration env var). */
  warnings: string[]
  positionals: string[]
  /** Every `--host`/`-H` given, in order (the value keeps only the last). */
  hostFlags: string[]
  help: boolean
  version: boolean
}

/** Sets one flag's value; the parser per kind guarantees the value matches the flag's kind. */
function put(values: FlagValues, name: FlagName, value: Value | readonly string[]): void {
  ;(values as Record<FlagName, Value | readonly string[]>)[name] = value
}

function fromText(flag: Flag, text: string, where: string, fromEnv: boolean): Value {
  const bad = (what: string) =>
    new ConfigError(`invalid value "${text}" for ${where}: ${what}`, { source: where })
  switch (flag.kind) {
    case 'bool': {
      if (flag.env === 'NO_COLOR' && fromEnv) return parseGoBool(text) ?? true
      const v = parseGoBool(text)
      if (v === undefined) throw bad('expected a boolean (true, false, 1, 0, t, f)')
      return v
    }
    case 'int': {
      const v = parseInteger(text)
      if (v === undefined) throw bad('expected an integer')
      return v
    }
    case 'duration': {
      const v = parseGoDuration(text.trim())
      if (v === undefined) throw bad('expected a Go duration such as 30s, 1m30s or 2h')
      return v
    }
    case 'list':
      if (flag.name === 'insecure-registry' && parseGoBool(text) !== undefined)
        return parseGoBool(text) ? ['*'] : []
      return splitList(text)
    case 'array':
      return fromEnv ? splitFields(text) : [text]
    case 'string':
      if (flag.values) {
        // levels and formats are case-insensitive upstream (logrus.ParseLevel lowercases)
        const lower = text.toLowerCase()
        if (!flag.values.some((v) => v.toLowerCase() === lower)) {
          throw bad(
            `expected one of ${[...new Set(flag.values.filter((v) => v !== '').map((v) => v.toLowerCase()))].join(', ')}`,
          )
        }
        return lower
      }
      return text
  }
}

/** Defaults, then env, then argv: every flag's value and where it came from. */
export function layerValues(argv: readonly string[], env: NodeJS.ProcessEnv): Layered {
  const parsed = parseArgv(argv)
  const values = {} as FlagValues
  const sources = {} as FlagSources
  const warnings: string[] = []
  for (const flag of FLAGS) {
    // a copy, so a config's lists never alias the table's defaults
    put(values, flag.name, Array.isArray(flag.default) ? [...flag.default] : (flag.default as Value))
    sources[flag.name] = 'default'
    const envText = flag.env ? env[flag.env] : undefined
    if (flag.env && envText !== undefined && envText !== '') {
      if (flag.kind === 'duration' && /^\d+$/.test(envText.trim())) {
        // upstream (viper) read a bare number as nanoseconds; it was meant as seconds
        put(values, flag.name, Number(envText.trim()) * 1000)
        warnings.push(`${flag.env}=${envText.trim()} has no unit: read as ${envText.trim()}s`)
      } else put(values, flag.name, fromText(flag, envText, flag.env, true))
      sources[flag.name] = `env ${flag.env}`
    }
  }
  const seen = new Set<FlagName>()
  for (const occ of parsed.occurrences) {
    const { flag } = occ
    const v = typeof occ.value === 'boolean' ? occ.value : fromText(flag, occ.value, occ.spelling, false)
    if ((flag.kind === 'list' || flag.kind === 'array') && seen.has(flag.name)) {
      put(values, flag.name, [...(values[flag.name] as string[]), ...(v as string[])])
    } else put(values, flag.name, v)
    seen.add(flag.name)
    sources[flag.name] = `flag ${occ.spelling}`
  }
  return {
    values,
    sources,
    warnings,
    positionals: parsed.positionals,
    hostFlags: parsed.occurrences.filter((o) => o.flag.name === 'host').map((o) => String(o.value)),
    help: parsed.help,
    version: parsed.version,
  }
}

/** --porcelain v1: logger://, stdout, report and the porcelain template, unless the user gave them. */
export function applyPorcelain({ values, sources }: Pick<Layered, 'values' | 'sources'>): void {
  const porcelain = values.porcelain
  if (porcelain === '') return
  if (porcelain !== 'v1') {
    throw new ConfigError(
      `unknown porcelain version "${porcelain}" for ${sources.porcelain}: supported values: v1`,
      {
        source: sources.porcelain,
      },
    )
  }
  const given = (name: FlagName) => sources[name] !== 'default'
  if (!given('notification-url')) values['notification-url'] = ['logger://']
  if (!given('notification-log-stdout')) values['notification-log-stdout'] = true
  if (!given('notification-report')) values['notification-report'] = true
  if (!given('notification-template')) values['notification-template'] = 'porcelain.v1.summary-no-log'
}
