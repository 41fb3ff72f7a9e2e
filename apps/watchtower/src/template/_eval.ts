// Evaluates pipelines, commands, fields and calls: the expression half of Go's text/template
// exec.go over the JS value model of _value.ts. Errors read as Go's:
// `template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`.
import type { FuncDef, Param } from './_funcs.ts'
import type { Arg, CommandNode, Node, NumberNode, PipeNode } from './_nodes.ts'
import { nodeString } from './_nodes.ts'
import { dataMethod, type Fn, GoFloat, isTrue, kindOf, mapKeyKind, structName, typeName } from './_value.ts'
import { TemplateError } from './errors.ts'

export const MISSING = Symbol('missing') // no piped (final) argument
export const BREAK = Symbol('break')
export const CONTINUE = Symbol('continue')
export type AnyNode = Node | Arg | CommandNode

export interface ExecOptions {
  name: string
  source: string
  funcs: Record<string, FuncDef>
  /** Output and loop bounds (a template is user input): bytes written, range iterations. */
  maxOutput: number
  maxIterations: number
}

export class Evaluator {
  vars: { name: string; value: unknown }[]
  node: AnyNode | undefined
  constructor(
    protected readonly o: ExecOptions,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }]
  }

  errorf(msg: string): never {
    let where = this.o.name
    if (this.node && 'pos' in this.node) {
      const before = this.o.source.slice(0, this.node.pos)
      const nl = before.lastIndexOf('\n')
      const ctx = nodeString(this.node)
      where = `${this.o.name}:${before.split('\n').length}:${nl === -1 ? this.node.pos : this.node.pos - nl - 1}: executing "${this.o.name}" at <${ctx.length > 20 ? `${ctx.slice(0, 20)}...` : ctx}>`
    }
    throw new TemplateError(`${where}: ${msg}`)
  }
  protected at(n: AnyNode): void {
    this.node = n
  }
  protected varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.value
    this.errorf(`undefined variable: ${name}`)
  }
  protected setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value
        return
      }
    }
    this.errorf(`undefined variable: ${name}`)
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe)
    let value: unknown = MISSING
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value)
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value)
      else this.vars.push({ name: v.ident[0]!, value })
    }
    return value
  }

  private notAFunction(args: Arg[], final: unknown): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`)
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0]!
    switch (first.k) {
      case 'field':
        this.at(first)
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final)
      case 'chain':
        return this.evalChain(dot, first, cmd.args, final)
      case 'identifier':
        return this.evalFunction(dot, first.name, cmd, cmd.args, final)
      case 'pipe':
        this.notAFunction(cmd.args, final)
        return this.evalPipeline(dot, first)
      case 'variable':
        return this.evalVariable(dot, first, cmd.args, final)
    }
    this.at(first)
    this.notAFunction(cmd.args, final)
    switch (first.k) {
      case 'bool':
        return first.value
      case 'dot':
        return dot
      case 'nil':
        return this.errorf('nil is not a command')
      case 'number':
        return this.idealConstant(first)
      case 'string':
        return first.text
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n)
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text)
    if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text))
      return new GoFloat(n.float!)
    if (n.isInt) {
      if (n.int! > BigInt(Number.MAX_SAFE_INTEGER) || n.int! < BigInt(Number.MIN_SAFE_INTEGER))
        this.errorf(`${n.text} is too large for a JavaScript number`)
      return Number(n.int)
    }
    if (n.isUint) this.errorf(`${n.text} overflows int`)
    return undefined
  }

  private evalChain(dot: unknown, chain: Extract<Arg, { k: 'chain' }>, args: Arg[], final: unknown): unknown {
    this.at(chain)
    if (chain.node.k === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`)
    const pipe = this.evalArg(dot, 'value', chain.node)
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final)
  }

  private evalVariable(
    dot: unknown,
    v: Extract<Arg, { k: 'variable' }>,
    args: Arg[],
    final: unknown,
  ): unknown {
    this.at(v)
    const value = this.varValue(v.ident[0]!)
    if (v.ident.length === 1) {
      this.notAFunction(args, final)
      return value
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final)
  }

  private evalFieldChain(
    dot: unknown,
    recv: unknown,
    node: Arg,
    ident: string[],
    args: Arg[],
    final: unknown,
  ) {
    for (let i = 0; i < ident.length - 1; i++) recv = this.evalField(dot, ident[i]!, node, [], MISSING, recv)
    return this.evalField(dot, ident.at(-1)!, node, args, final, recv)
  }

  private evalField(
    dot: unknown,
    name: string,
    node: Arg,
    args: Arg[],
    final: unknown,
    recv: unknown,
  ): unknown {
    if (recv === undefined) return undefined
    if (recv === null) this.errorf(`nil pointer evaluating interface {}.${name}`)
    const method = dataMethod(recv, name)
    if (method) return this.evalCall(dot, method, node, name, args, final, recv)
    const hasArgs = args.length > 1 || final !== MISSING
    const k = kindOf(recv)
    const o = recv as Record<string, unknown>
    if (k === 'struct' && Object.hasOwn(o, name)) {
      if (!/^\p{Lu}/u.test(name))
        this.errorf(`${name} is an unexported field of struct type ${structName(o)}`)
      if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`)
      return o[name]
    }
    if (k === 'slice' && Object.hasOwn(o, name) && !/^\d+$/.test(name)) return o[name]
    if (
      k === 'record' ||
      (k === 'map' && (mapKeyKind(recv as Map<unknown, unknown>) ?? 'string') === 'string')
    ) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`)
      return k === 'map'
        ? (recv as Map<unknown, unknown>).get(name)
        : Object.hasOwn(o, name)
          ? o[name]
          : undefined
    }
    return this.errorf(`can't evaluate field ${name} in type ${typeName(recv)}`)
  }

  private evalFunction(dot: unknown, name: string, cmd: AnyNode, args: Arg[], final: unknown): unknown {
    this.at(cmd)
    const f = this.o.funcs[name]
    if (!f) this.errorf(`"${name}" is not a defined function`)
    return this.evalCall(dot, f, cmd, name, args, final)
  }

  /** Calls a builtin (FuncDef) or a data method (JS function) with args[1:] and the piped value. */
  private evalCall(
    dot: unknown,
    f: FuncDef | Fn,
    node: AnyNode,
    name: string,
    args: Arg[],
    final: unknown,
    recv?: unknown,
  ) {
    this.at(node)
    const argNodes = args.slice(1)
    const def: FuncDef =
      typeof f === 'function'
        ? { params: Array(f.length).fill('any'), ...(f.variadic ? { variadic: 'any' } : {}), fn: f }
        : f
    const numIn = argNodes.length + (final === MISSING ? 0 : 1)
    const numFixed = def.params.length
    if (def.variadic ? numIn < numFixed : numIn !== numFixed)
      this.errorf(
        `wrong number of args for ${name}: want ${def.variadic ? 'at least ' : ''}${numFixed} got ${numIn}`,
      )
    if (def.special === 'and' || def.special === 'or') {
      let v: unknown
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a)
        if (isTrue(v) === (def.special === 'or')) return v
      }
      return final === MISSING ? v : final
    }
    const argv: unknown[] = argNodes.map((a, i) =>
      this.evalArg(dot, def.params[i] ?? def.variadic!, a, def.special === 'call' && i === 0),
    )
    if (final !== MISSING) argv.push(this.validate(final, def.params[argv.length] ?? def.variadic!, node))
    this.at(node)
    try {
      if (def.special === 'call') return this.call(argNodes[0] ?? node, argv)
      return def.fn.apply(recv, argv)
    } catch (e) {
      if (e instanceof TemplateError || e === BREAK || e === CONTINUE) throw e
      return this.errorf(`error calling ${name}: ${(e as Error)?.message ?? String(e)}`)
    }
  }

  private call(fnNode: AnyNode, argv: unknown[]): unknown {
    const [fn, ...rest] = argv
    if (fn === undefined || fn === null) throw new Error('call of nil')
    const what = 'pos' in fnNode ? nodeString(fnNode) : 'call'
    if (typeof fn !== 'function') throw new Error(`non-function ${what} of type ${typeName(fn)}`)
    const f = fn as Fn
    if (f.variadic ? rest.length < f.length : rest.length !== f.length)
      throw new Error(
        `wrong number of args for ${what}: got ${rest.length} want ${f.variadic ? 'at least ' : ''}${f.length}`,
      )
    return f(...rest)
  }

  /** Evaluates an argument; `raw` keeps a function field uncalled (the function given to `call`). */
  private evalArg(dot: unknown, param: Param, n: Arg, raw = false): unknown {
    this.at(n)
    let v: unknown
    switch (n.k) {
      case 'dot':
        v = dot
        break
      case 'nil':
        if (param === 'string' || param === 'int') this.errorf(`cannot assign nil to ${param}`)
        v = null
        break
      case 'field':
      case 'variable': {
        const path = n.k === 'field' ? n.ident : n.ident.slice(1)
        if (raw && path.length > 0) {
          const base = n.k === 'field' ? dot : this.varValue(n.ident[0]!)
          const recv =
            path.length > 1 ? this.evalFieldChain(dot, base, n, path.slice(0, -1), [], MISSING) : base
          const m = dataMethod(recv, path.at(-1)!)
          if (m) return Object.assign(m.bind(recv), m.variadic ? { variadic: true } : {})
        }
        v =
          n.k === 'field'
            ? this.evalFieldChain(dot, dot, n, n.ident, [n], MISSING)
            : this.evalVariable(dot, n, [n], MISSING)
        break
      }
      case 'pipe':
        v = this.evalPipeline(dot, n)
        break
      case 'identifier':
        v = this.evalFunction(dot, n.name, n, [n], MISSING)
        break
      case 'chain':
        v = this.evalChain(dot, n, [n], MISSING)
        break
      case 'bool':
        v = n.value
        break
      case 'string':
        v = n.text
        break
      case 'number':
        v = this.idealConstant(n)
        break
    }
    return this.validate(v, param, n)
  }

  private validate(v: unknown, param: Param, n: AnyNode): unknown {
    if (param === 'any') return v === undefined ? null : v
    if ((param === 'string' || param === 'int') && kindOf(v) !== param) {
      this.at(n)
      if (v === undefined) this.errorf(`invalid value; expected ${param}`)
      this.errorf(`wrong type for value; expected ${param}; got ${typeName(v)}`)
    }
    return v
  }
}
