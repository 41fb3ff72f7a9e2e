// Built-in functions (Go's text/template funcs.go) and watchtower's additions
// (ToUpper, ToLower, Title, ToJSON). A thrown Error becomes "error calling NAME: ...".
import { sprintf } from './_format.ts'
import {
  byteLength,
  fields,
  isTrue,
  kindOf,
  mapKeyKind,
  mapZero,
  num,
  printValue,
  sortedEntries,
  typeName,
} from './_value.ts'

/** How an argument is checked and passed: 'value' as is; 'any' turns no value into nil. */
export type Param = 'any' | 'value' | 'string' | 'int'

export interface FuncDef {
  params: Param[]
  variadic?: Param
  fn: (...args: unknown[]) => unknown
  /** and/or evaluate lazily; call takes a function value. */
  special?: 'and' | 'or' | 'call'
}

type Basic = 'bool' | 'int' | 'float' | 'string'
const BASIC = new Set(['bool', 'int', 'float', 'string'])
const basic = (v: unknown): Basic | undefined => {
  const k = kindOf(v)
  return BASIC.has(k) ? (k as Basic) : undefined
}

function eq(a: unknown, ...bs: unknown[]): boolean {
  if (bs.length === 0) throw new Error('missing argument for comparison')
  const ka = basic(a)
  for (const b of bs) {
    const kb = basic(b)
    let truth = false
    if (ka !== kb) {
      if (a !== undefined && b !== undefined) throw new Error('incompatible types for comparison')
    } else if (ka) {
      truth = ka === 'int' || ka === 'float' ? num(a) === num(b) : a === b
    } else if (a === undefined || b === undefined) truth = a === b
    else if (a === null || b === null) {
      const other = a === null ? b : a
      if (other !== null && ['struct', 'record', 'time'].includes(kindOf(other)))
        throw new Error('incompatible types for comparison')
      truth = a === b
    } else {
      truth = equalComposite(a, b)
    }
    if (truth) return true
  }
  return false
}

/** == on non-basic values: structs field by field, times by instant; slices, maps, funcs never. */
function equalComposite(a: unknown, b: unknown): boolean {
  const k = kindOf(a)
  if (k !== kindOf(b) || k === 'slice' || k === 'map' || k === 'func')
    throw new Error(`non-comparable type ${typeName(a)}`)
  if (k === 'time') return (a as Date).getTime() === (b as Date).getTime()
  if (a === b) return true
  const fa = fields(a as object)
  const fb = fields(b as object)
  if (fa.length !== fb.length || fa.some(([n], i) => n !== fb[i]![0])) return false
  return fa.every(([, x], i) => eq(x, fb[i]![1]))
}

function lessThan(a: unknown, b: unknown): boolean {
  const ka = basic(a)
  const kb = basic(b)
  if (!ka || !kb || ka === 'bool') throw new Error('invalid type for comparison')
  if (ka !== kb) throw new Error('incompatible types for comparison')
  return ka === 'string' ? (a as string) < (b as string) : num(a) < num(b)
}

function indexArg(index: unknown, cap: number, what: string): number {
  if (index === undefined || index === null) throw new Error(`cannot index ${what} with nil`)
  if (kindOf(index) !== 'int') throw new Error(`cannot index ${what} with type ${typeName(index)}`)
  const x = Number(index)
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`)
  return x
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil')
  for (const i of indexes) {
    const k = kindOf(item)
    if (item === null || item === undefined) throw new Error('index of nil pointer')
    if (k === 'slice' || k === 'string') {
      const len = k === 'string' ? byteLength(item as string) : (item as unknown[]).length
      const x = indexArg(i, len, 'slice/array')
      if (x === len) throw new Error(`index out of range: ${x}`)
      item = k === 'string' ? Buffer.from(item as string)[x] : (item as unknown[])[x]
    } else if (k === 'map') {
      const m = item as Map<unknown, unknown>
      const keyKind = mapKeyKind(m) ?? 'string'
      if (i === undefined || i === null) throw new Error(`value is nil; should be of type ${keyKind}`)
      if (m.size > 0 && kindOf(i) !== keyKind)
        throw new Error(`value has type ${typeName(i)}; should be ${keyKind}`)
      item = m.has(i) ? m.get(i) : mapZero(m)
    } else if (k === 'record') {
      if (typeof i !== 'string') throw new Error(`value has type ${typeName(i)}; should be string`)
      item = Object.hasOwn(item as object, i) ? (item as Record<string, unknown>)[i] : undefined
    } else throw new Error(`can't index item of type ${typeName(item)}`)
  }
  return item
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw new Error('slice of untyped nil')
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`)
  const k = kindOf(item)
  if (k === 'string' && indexes.length === 3) throw new Error('cannot 3-index slice a string')
  if (k !== 'string' && k !== 'slice') throw new Error(`can't slice item of type ${typeName(item)}`)
  const bytes = k === 'string' ? Buffer.from(item as string) : undefined
  const cap = bytes ? bytes.length : (item as unknown[]).length
  const idx = [0, cap, cap]
  indexes.forEach((x, n) => {
    idx[n] = indexArg(x, cap, 'slice/array')
  })
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`)
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`)
  return bytes ? bytes.subarray(idx[0], idx[1]).toString('utf8') : (item as unknown[]).slice(idx[0], idx[1])
}

function length(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return byteLength(item as string)
    case 'slice':
      return (item as unknown[]).length
    case 'map':
      return (item as Map<unknown, unknown>).size
    case 'record':
      return fields(item as object).length
    case 'invalid':
      throw new Error('len of untyped nil')
    case 'nil':
      throw new Error('len of nil pointer')
    default:
      throw new Error(`len of type ${typeName(item)}`)
  }
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[], ln: boolean): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && (ln || (typeof a !== 'string' && typeof args[i - 1] !== 'string'))) out += ' '
    out += printValue(a, false)
  })
  return ln ? `${out}\n` : out
}

/** The string html, js and urlquery escape (Go's evalArgs). */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0]
  return sprint(
    args.map((a) => (a === undefined ? '<no value>' : a)),
    false,
  )
}

const HTML: Record<string, string> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\0': '\uFFFD',
}
const htmlEscape = (s: string) => s.replace(/["'&<>\0]/g, (c) => HTML[c]!)

function jsEscape(s: string): string {
  let out = ''
  for (const c of s) {
    const cp = c.codePointAt(0)!
    if (c === '\\' || c === "'" || c === '"') out += `\\${c}`
    else if (c === '<' || c === '>' || c === '&' || c === '=')
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`
    else if (cp < 0x20 || !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c))
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`
    else out += c
  }
  return out
}

/** Go's url.QueryEscape. */
const queryEscape = (s: string) =>
  [...Buffer.from(s)]
    .map((b) => {
      const c = String.fromCharCode(b)
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c
      return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
    })
    .join('')

/** watchtower's Title: cases.Title(language.AmericanEnglish), each word capitalised, the rest lower case. */
function title(s: string): string {
  return s.replace(/[\p{L}\p{M}\p{N}']+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
}

/** encoding/json's view of a value: maps with sorted keys, no value as null, HTML-safe. */
function jsonValue(v: unknown): unknown {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
    case 'func':
      return null
    case 'float':
      return num(v)
    case 'slice':
      return (v as unknown[]).map(jsonValue)
    case 'map':
      return Object.fromEntries(
        sortedEntries(v as Map<unknown, unknown>).map(([k, x]) => [String(k), jsonValue(x)]),
      )
    case 'struct':
    case 'record':
      return Object.fromEntries(fields(v as object).map(([k, x]) => [k, jsonValue(x)]))
    default:
      return v
  }
}
const toJSON = (v: unknown) =>
  JSON.stringify(jsonValue(v), null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )

const fn = (params: Param[], f: (...a: never[]) => unknown, variadic?: Param): FuncDef => ({
  params,
  fn: f as FuncDef['fn'],
  ...(variadic ? { variadic } : {}),
})

export const BUILTINS: Record<string, FuncDef> = {
  and: { params: ['value'], variadic: 'value', fn: () => undefined, special: 'and' },
  or: { params: ['value'], variadic: 'value', fn: () => undefined, special: 'or' },
  call: { params: ['value'], variadic: 'any', fn: () => undefined, special: 'call' },
  html: fn([], (...a: unknown[]) => htmlEscape(evalArgs(a)), 'value'),
  index: fn(['value'], index, 'value'),
  slice: fn(['value'], slice, 'value'),
  js: fn([], (...a: unknown[]) => jsEscape(evalArgs(a)), 'value'),
  len: fn(['value'], length),
  not: fn(['value'], (a: unknown) => !isTrue(a)),
  print: fn([], (...a: unknown[]) => sprint(a, false), 'any'),
  printf: fn(['string'], (f: string, ...a: unknown[]) => sprintf(f, a), 'any'),
  println: fn([], (...a: unknown[]) => sprint(a, true), 'any'),
  urlquery: fn([], (...a: unknown[]) => queryEscape(evalArgs(a)), 'value'),
  eq: fn(['value'], eq, 'value'),
  ne: fn(['value', 'value'], (a: unknown, b: unknown) => !eq(a, b)),
  lt: fn(['value', 'value'], lessThan),
  le: fn(['value', 'value'], (a: unknown, b: unknown) => lessThan(a, b) || eq(a, b)),
  gt: fn(['value', 'value'], (a: unknown, b: unknown) => !lessThan(a, b) && !eq(a, b)),
  ge: fn(['value', 'value'], (a: unknown, b: unknown) => !lessThan(a, b)),
  // watchtower's own (upstream pkg/notifications/templates/funcs.go)
  ToUpper: fn(['string'], (s: string) => s.toUpperCase()),
  ToLower: fn(['string'], (s: string) => s.toLowerCase()),
  Title: fn(['string'], title),
  ToJSON: fn(['any'], toJSON),
}
