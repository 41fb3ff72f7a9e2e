// A pflag-compatible argv tokenizer: --name=value, --name value, -x value,
// -xvalue, -x=value, combined boolean shorthands (-cR), --bool=false,
// interspersed positionals, `--` ends flags. cac routes the command and
// renders help; values are read here so strings are never cast to numbers.
import { ConfigError } from '../errors.ts'
import { FLAG_BY_NAME, FLAG_BY_SHORT, type Flag } from './_flags.ts'
import { parseGoBool } from './_values.ts'

export interface FlagOccurrence {
  flag: Flag
  /** Text value, or a boolean for boolean flags. */
  value: string | boolean
  /** How the user spelled it (`--interval`, `-i`). */
  spelling: string
}

export interface ParsedArgv {
  occurrences: FlagOccurrence[]
  positionals: string[]
  help: boolean
  version: boolean
}

function boolValue(spelling: string, text: string | undefined): boolean {
  if (text === undefined) return true
  const v = parseGoBool(text)
  if (v === undefined) {
    throw new ConfigError(
      `invalid argument "${text}" for "${spelling}" flag: not a boolean (use ${spelling}=true|false)`,
      {
        source: spelling,
      },
    )
  }
  return v
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const out: ParsedArgv = { occurrences: [], positionals: [], help: false, version: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      const inline = eq === -1 ? undefined : arg.slice(eq + 1)
      if (name === 'help') {
        out.help = true
        continue
      }
      if (name === 'version') {
        out.version = true
        continue
      }
      const flag = FLAG_BY_NAME.get(name)
      if (!flag) throw new ConfigError(`unknown flag: --${name}`, { source: `--${name}` })
      const spelling = `--${name}`
      if (flag.kind === 'bool') {
        out.occurrences.push({ flag, value: boolValue(spelling, inline), spelling })
      } else if (inline !== undefined) {
        out.occurrences.push({ flag, value: inline, spelling })
      } else {
        if (i + 1 >= argv.length)
          throw new ConfigError(`flag needs an argument: ${spelling}`, { source: spelling })
        out.occurrences.push({ flag, value: argv[++i]!, spelling })
      }
      continue
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // shorthand cluster
      let j = 1
      while (j < arg.length) {
        const c = arg[j]!
        if (c === 'h') {
          out.help = true
          j++
          continue
        }
        const flag = FLAG_BY_SHORT.get(c)
        if (!flag) throw new ConfigError(`unknown shorthand flag: '${c}' in ${arg}`, { source: `-${c}` })
        const spelling = `-${c}`
        const rest = arg.slice(j + 1)
        if (flag.kind === 'bool') {
          if (rest.startsWith('=')) {
            out.occurrences.push({ flag, value: boolValue(spelling, rest.slice(1)), spelling })
            break
          }
          out.occurrences.push({ flag, value: true, spelling })
          j++
          continue
        }
        if (rest.length > 0) {
          out.occurrences.push({ flag, value: rest.startsWith('=') ? rest.slice(1) : rest, spelling })
        } else {
          if (i + 1 >= argv.length)
            throw new ConfigError(`flag needs an argument: '${c}' in ${arg}`, { source: spelling })
          out.occurrences.push({ flag, value: argv[++i]!, spelling })
        }
        break
      }
      continue
    }
    out.positionals.push(arg)
  }
  return out
}
