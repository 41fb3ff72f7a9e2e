// How JS values stand for Go values in templates (see the README's template section):
// undefined = no value (a missing key / nil interface), null = nil, integer numbers = int,
// GoFloat and fractional numbers = float64, Array = slice, Map = map, goStruct() = a struct,
// other plain objects = records (struct-like printing, map-like lookups), Date = time.Time.
import { formatFloat, goTimeFormat, goTimeString, shortId } from './_go-text.ts'

/** A float64 whose value may be integral (the literal 2.0 or 1e3): JS numbers alone cannot tell. */
export class GoFloat {
  constructor(readonly v: number) {}
}

const STRUCT = Symbol('goStruct')

/** Marks `obj` as a Go struct of type `typeName`: a missing field is an error, as in Go. */
export function goStruct<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, STRUCT, { value: typeName, enumerable: false })
  return obj
}
export const structName = (v: object): string | undefined => (v as Record<symbol, string>)[STRUCT]

export type Kind =
  | 'invalid'
  | 'nil'
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'slice'
  | 'map'
  | 'struct'
  | 'record'
  | 'func'
  | 'time'

export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid'
  if (v === null) return 'nil'
  switch (typeof v) {
    case 'boolean':
      return 'bool'
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float'
    case 'bigint':
      return 'int'
    case 'string':
      return 'string'
    case 'function':
      return 'func'
  }
  if (v instanceof GoFloat) return 'float'
  if (Array.isArray(v)) return 'slice'
  if (v instanceof Map) return 'map'
  if (v instanceof Date) return 'time'
  return structName(v as object) ? 'struct' : 'record'
}

export const num = (v: unknown): number => (v instanceof GoFloat ? v.v : Number(v))

/** Go's type names, for error messages. */
export function typeName(v: unknown): string {
  const k = kindOf(v)
  switch (k) {
    case 'float':
      return 'float64'
    case 'slice':
      return '[]interface {}'
    case 'map':
      return `map[${mapKeyKind(v as Map<unknown, unknown>) ?? 'string'}]interface {}`
    case 'struct':
      return structName(v as object)!
    case 'record':
      return 'struct'
    case 'time':
      return 'time.Time'
    case 'invalid':
      return '<no value>'
    default:
      return k
  }
}

/** The kind of a Map's keys when they all agree ('int', 'string', ...). */
export function mapKeyKind(m: Map<unknown, unknown>): Kind | undefined {
  let kind: Kind | undefined
  for (const k of m.keys()) {
    const kk = kindOf(k)
    if (kind && kind !== kk) return undefined
    kind = kk
  }
  return kind
}

/** Go's zero value of a map's element type, inferred from the values it holds (see README). */
export function mapZero(m: Map<unknown, unknown>): unknown {
  const kinds = new Set([...m.values()].map(kindOf))
  if (kinds.size !== 1) return undefined
  const zero: Partial<Record<Kind, unknown>> = { int: 0, float: new GoFloat(0), string: '', bool: false }
  return zero[[...kinds][0]!]
}

function keyCompare(a: unknown, b: unknown): number {
  const ka = kindOf(a)
  const kb = kindOf(b)
  if (ka !== kb) return ka < kb ? -1 : 1
  if (ka === 'int' || ka === 'float') return num(a) - num(b)
  if (ka === 'bool') return Number(a) - Number(b)
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/** Entries of a map (or record) in Go's sorted key order (fmt and range). */
export function sortedEntries(v: Map<unknown, unknown> | object): [unknown, unknown][] {
  const entries: [unknown, unknown][] =
    v instanceof Map ? [...v.entries()] : Object.entries(v).filter(([, x]) => typeof x !== 'function')
  return entries.sort(([a], [b]) => keyCompare(a, b))
}

/** Visible fields of a struct or record, in declaration order. */
export const fields = (v: object): [string, unknown][] =>
  Object.entries(v).filter(([, x]) => typeof x !== 'function')

/** Go's isTrue: ok is false when the value has no truth (never, for JS values). */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false
    case 'bool':
      return v as boolean
    case 'int':
    case 'float':
      return num(v) !== 0
    case 'string':
    case 'slice':
      return (v as string | unknown[]).length > 0
    case 'map':
      return (v as Map<unknown, unknown>).size > 0
    case 'record':
      return fields(v as object).length > 0
    default:
      return true
  }
}

/** fmt's handleMethods: an Error() or String() method formats the value. */
function methodString(v: object): string | undefined {
  const o = v as { Error?: unknown; String?: unknown }
  if (typeof o.Error === 'function') return String((o.Error as () => unknown).call(v))
  if (typeof o.String === 'function') return String((o.String as () => unknown).call(v))
  return undefined
}

/** fmt.Sprint(v) (%v); `top` prints a missing value as text/template does: "<no value>". */
export function printValue(v: unknown, top = true): string {
  switch (kindOf(v)) {
    case 'invalid':
      return top ? '<no value>' : '<nil>'
    case 'nil':
      return '<nil>'
    case 'float':
      return formatFloat(num(v), 'g', -1)
    case 'time':
      return goTimeString(v as Date)
    case 'slice':
      return `[${(v as unknown[]).map((x) => printValue(x, false)).join(' ')}]`
    case 'map':
      return `map[${sortedEntries(v as Map<unknown, unknown>)
        .map(([k, x]) => `${printValue(k, false)}:${printValue(x, false)}`)
        .join(' ')}]`
    case 'struct':
    case 'record':
      return (
        methodString(v as object) ??
        `{${fields(v as object)
          .map(([, x]) => printValue(x, false))
          .join(' ')}}`
      )
    case 'func':
      return 'func'
    default:
      return String(v)
  }
}

/** Go's len of a string counts bytes (UTF-8). */
export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8')

export type Fn = ((...args: unknown[]) => unknown) & { variadic?: boolean }

/** The method `name` of a data value: own function properties, class methods, and the
 * watchtower/Go ones of strings (.ShortID) and times (.Format, .String, .Unix). */
export function dataMethod(r: unknown, name: string): Fn | undefined {
  if (typeof r === 'string') return name === 'ShortID' ? () => shortId(r) : undefined
  if (r instanceof Date) {
    const m: Record<string, Fn> = {
      Format: (layout: unknown) => goTimeFormat(r, String(layout)),
      String: () => goTimeString(r),
      Unix: () => Math.floor(r.getTime() / 1000),
    }
    return m[name]
  }
  if (!r || typeof r !== 'object' || r instanceof Map || r instanceof GoFloat) return undefined
  const own = Object.getOwnPropertyDescriptor(r, name)
  if (own) return typeof own.value === 'function' ? (own.value as Fn) : undefined
  const proto = Object.getPrototypeOf(r)
  if (proto === Object.prototype || proto === Array.prototype || proto === null || name in Object.prototype)
    return undefined
  const v = (r as Record<string, unknown>)[name]
  return typeof v === 'function' ? (v as Fn) : undefined
}
