// Executes a parsed template: the statement half of Go's text/template exec.go (text,
// actions, if/with/range, break/continue), with bounded output and iterations.
import { BREAK, CONTINUE, Evaluator, type ExecOptions } from './_eval.ts'
import type { ControlNode, ListNode, Node } from './_nodes.ts'
import { nodeString } from './_nodes.ts'
import { isTrue, kindOf, printValue, sortedEntries, typeName } from './_value.ts'

export type { ExecOptions }

class State extends Evaluator {
  out = ''
  bytes = 0
  iterations = 0

  private write(s: string): void {
    this.out += s
    this.bytes += Buffer.byteLength(s)
    if (this.bytes > this.o.maxOutput) this.errorf(`output is larger than ${this.o.maxOutput} bytes`)
  }

  walk(dot: unknown, node: Node): void {
    this.at(node)
    switch (node.k) {
      case 'list':
        for (const n of node.nodes) this.walk(dot, n)
        return
      case 'text':
        this.write(node.text)
        return
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe)
        if (node.pipe.decl.length > 0) return
        this.at(node)
        if (typeof v === 'function') this.errorf(`can't print ${nodeString(node.pipe)} of type func`)
        this.write(printValue(v))
        return
      }
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node)
        return
      case 'range':
        this.walkRange(dot, node)
        return
      case 'break':
        throw BREAK
      case 'continue':
        throw CONTINUE
    }
  }

  private walkIfOrWith(dot: unknown, n: ControlNode): void {
    const mark = this.vars.length
    try {
      const val = this.evalPipeline(dot, n.pipe)
      if (isTrue(val)) this.walk(n.k === 'with' ? val : dot, n.list)
      else if (n.elseList) this.walk(dot, n.elseList)
    } finally {
      this.vars.length = mark
    }
  }

  private walkRange(dot: unknown, r: ControlNode): void {
    const outer = this.vars.length
    try {
      const val = this.evalPipeline(dot, r.pipe)
      const mark = this.vars.length
      const decl = r.pipe.decl.map((d) => d.ident[0]!)
      const one = (index: unknown, elem: unknown) => {
        if (++this.iterations > this.o.maxIterations)
          this.errorf(`range: more than ${this.o.maxIterations} iterations`)
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!, decl.length > 1 ? index : elem)
          else this.vars[this.vars.length - 1]!.value = elem
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!, elem)
          else this.vars[this.vars.length - 2]!.value = index
        }
        try {
          this.walk(elem, r.list)
        } catch (e) {
          if (e !== CONTINUE) throw e
        } finally {
          this.vars.length = mark
        }
      }
      let items: [unknown, unknown][] | undefined
      const k = kindOf(val)
      if (k === 'slice') items = (val as unknown[]).map((x, i) => [i, x])
      else if (k === 'map' || k === 'record') items = sortedEntries(val as object)
      else if (k === 'int') {
        this.at(r)
        if (decl.length > 1)
          this.errorf(`can't use ${printValue(val)} to iterate over more than one variable`)
        const n = Number(val)
        if (n > this.o.maxIterations) this.errorf(`range: more than ${this.o.maxIterations} iterations`)
        items = Array.from({ length: Math.max(n, 0) }, (_, i) => [i, i])
      } else if (k !== 'invalid' && k !== 'nil') {
        this.at(r)
        this.errorf(`range can't iterate over a value of type ${typeName(val)}`) // no data values in errors
      }
      if (items && items.length > 0) {
        try {
          for (const [i, x] of items) one(i, x)
        } catch (e) {
          if (e !== BREAK) throw e
        }
        return
      }
      if (r.elseList) this.walk(dot, r.elseList)
    } finally {
      this.vars.length = outer
    }
  }
}

export function execute(root: ListNode, data: unknown, o: ExecOptions): string {
  const s = new State(o, data)
  s.walk(data, root)
  return s.out
}
