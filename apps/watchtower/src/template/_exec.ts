// Executes a parsed template against JS data. Field access follows Go's
// rules loosely: methods (functions) are called, `.ShortID` works on ID
// strings, and a missing field or nil value prints "<no value>" instead of
// failing, so `.Report` without --notification-report never crashes.

import { goTimeFormat, printValue, shortId, sprintf } from './_format.ts'
import type { Arg, ControlNode, Node, Pipe } from './_parser.ts'
import { TemplateError } from './errors.ts'

type Scope = Map<string, unknown>[]
type Fn = (...args: unknown[]) => unknown

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (v instanceof Map) return v.size > 0
  return true
}

function lenOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length
  if (v instanceof Map) return v.size
  if (v === undefined || v === null) return 0
  if (typeof v === 'object') return Object.keys(v).length
  throw new TemplateError(`len of ${typeof v}`)
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  throw new TemplateError(`incompatible types for comparison: ${typeof a} and ${typeof b}`)
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase())
}

function goPrint(args: unknown[], spaces: boolean): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && (spaces || (typeof a !== 'string' && typeof args[i - 1] !== 'string'))) out += ' '
    out += printValue(a)
  })
  return out
}

export const BUILTINS: Record<string, Fn> = {
  len: (v) => lenOf(v),
  printf: (f, ...a) => sprintf(String(f), a),
  print: (...a) => goPrint(a, false),
  println: (...a) => `${goPrint(a, true)}\n`,
  index: (v, ...keys) =>
    keys.reduce(
      (acc: unknown, k) => (acc == null ? undefined : (acc as Record<string, unknown>)[String(k)]),
      v,
    ),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a.at(-1),
  or: (...a) => a.find((x) => truthy(x)) ?? a.at(-1),
  html: (s) => printValue(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  urlquery: (s) => encodeURIComponent(printValue(s)),
  ToUpper: (s) => printValue(s).toUpperCase(),
  ToLower: (s) => printValue(s).toLowerCase(),
  Title: (s) => title(printValue(s)),
  ToJSON: (v) => JSON.stringify(v ?? null, null, 2),
}

function field(v: unknown, name: string): unknown {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string' && name === 'ShortID') return shortId(v)
  if (typeof v !== 'object') throw new TemplateError(`can't evaluate field ${name} in type ${typeof v}`)
  const x = v instanceof Map ? v.get(name) : (v as Record<string, unknown>)[name]
  return typeof x === 'function' ? (x as Fn).call(v) : x
}

const walk = (v: unknown, path: readonly string[]) => path.reduce(field, v)

class Exec {
  out = ''
  constructor(
    private readonly funcs: Record<string, Fn>,
    root: unknown,
  ) {
    this.scope = [new Map([['$', root]])]
  }
  scope: Scope

  private lookupVar(name: string): unknown {
    for (let i = this.scope.length - 1; i >= 0; i--)
      if (this.scope[i]!.has(name)) return this.scope[i]!.get(name)
    throw new TemplateError(`undefined variable "${name}"`)
  }
  private setVar(name: string, value: unknown, assign: boolean): void {
    if (assign) {
      for (let i = this.scope.length - 1; i >= 0; i--) {
        if (this.scope[i]!.has(name)) {
          this.scope[i]!.set(name, value)
          return
        }
      }
      throw new TemplateError(`undefined variable "${name}"`)
    }
    this.scope.at(-1)!.set(name, value)
  }

  run(nodes: readonly Node[], dot: unknown): void {
    for (const n of nodes) {
      switch (n.k) {
        case 'text':
          this.out += n.v
          break
        case 'action': {
          const v = this.pipe(n.pipe, dot)
          if (n.pipe.decl.length === 0) this.out += printValue(v)
          break
        }
        case 'if':
        case 'with': {
          this.scope.push(new Map())
          const v = this.pipe(n.pipe, dot)
          if (truthy(v)) this.run(n.body, n.k === 'with' ? v : dot)
          else if (n.else) this.run(n.else, dot)
          this.scope.pop()
          break
        }
        case 'range':
          this.range(n, dot)
          break
      }
    }
  }

  private range(n: ControlNode, dot: unknown): void {
    this.scope.push(new Map())
    const decl = n.pipe.decl
    const v = this.pipe({ ...n.pipe, decl: [] }, dot)
    let items: [unknown, unknown][] = []
    if (Array.isArray(v)) items = v.map((x, i) => [i, x])
    else if (v instanceof Map) items = [...v.entries()].sort()
    else if (typeof v === 'number') items = Array.from({ length: v }, (_, i) => [i, i])
    else if (v && typeof v === 'object') items = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))
    else if (v !== undefined && v !== null)
      throw new TemplateError(`range can't iterate over ${printValue(v)}`)
    if (items.length === 0) {
      if (n.else) this.run(n.else, dot)
    } else {
      for (const [k, x] of items) {
        const frame = new Map<string, unknown>()
        if (decl.length === 1) frame.set(decl[0]!, x)
        if (decl.length === 2) {
          frame.set(decl[0]!, k)
          frame.set(decl[1]!, x)
        }
        this.scope.push(frame)
        this.run(n.body, x)
        this.scope.pop()
      }
    }
    this.scope.pop()
  }

  pipe(p: Pipe, dot: unknown): unknown {
    let value: unknown
    let hasValue = false
    for (const cmd of p.cmds) {
      value = this.cmd(cmd, dot, hasValue ? [value] : [])
      hasValue = true
    }
    for (const name of p.decl) this.setVar(name, value, p.assign)
    return value
  }

  private cmd(cmd: readonly Arg[], dot: unknown, piped: unknown[]): unknown {
    const [first, ...rest] = cmd
    if (first!.k === 'ident') {
      const fn = this.funcs[first!.name]
      if (!fn) throw new TemplateError(`function "${first!.name}" not defined`)
      return fn(...rest.map((a) => this.arg(a, dot)), ...piped)
    }
    if (
      (rest.length > 0 || piped.length > 0) &&
      (first!.k === 'field' || first!.k === 'var') &&
      first!.path.length > 0
    ) {
      // a method with arguments: `.Time.Format "15:04"`
      const path = first!.path
      const receiver = walk(first!.k === 'field' ? dot : this.lookupVar(first!.name), path.slice(0, -1))
      const method = path.at(-1)!
      const args = [...rest.map((a) => this.arg(a, dot)), ...piped]
      if (receiver instanceof Date && method === 'Format')
        return goTimeFormat(receiver, String(args[0] ?? ''))
      const fn =
        receiver && typeof receiver === 'object' ? (receiver as Record<string, unknown>)[method] : undefined
      if (typeof fn === 'function') return (fn as Fn).apply(receiver, args)
    }
    if (rest.length > 0 || piped.length > 0) {
      throw new TemplateError(`can't give argument to non-function ${describe(first!)}`)
    }
    return this.arg(first!, dot)
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.k) {
      case 'lit':
        return a.v
      case 'field':
        return walk(dot, a.path)
      case 'var':
        return walk(this.lookupVar(a.name), a.path)
      case 'pipe':
        return walk(this.pipe(a.pipe, dot), a.path)
      case 'ident': {
        const fn = this.funcs[a.name]
        if (!fn) throw new TemplateError(`function "${a.name}" not defined`)
        return fn()
      }
    }
  }
}

function describe(a: Arg): string {
  return a.k === 'field' ? `.${a.path.join('.')}` : a.k === 'var' ? a.name : a.k
}

export function execute(nodes: readonly Node[], data: unknown, funcs: Record<string, Fn> = BUILTINS): string {
  const e = new Exec(funcs, data)
  e.run(nodes, data)
  return e.out
}
