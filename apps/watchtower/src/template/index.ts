// A Go text/template engine for notification templates (the subset watchtower users write;
// see the README's "Notification templates" section for the reference and the differences).
import { execute } from './_exec.ts'
import { BUILTINS, type FuncDef } from './_funcs.ts'
import type { ListNode } from './_nodes.ts'
import { parseTemplate } from './_parser.ts'
import { TemplateError } from './errors.ts'

export type { FuncDef } from './_funcs.ts'
export { shortId } from './_go-text.ts'
export { GoFloat, goStruct } from './_value.ts'
export { TemplateError }

/** A parsed template. */
export interface Template {
  readonly source: string
  /** Renders with `data` as dot; throws TemplateError when Go's text/template would fail. */
  execute(data: unknown): string
}

export interface CompileOptions {
  /** The name errors show (`template: NAME:LINE: ...`); default "notification". */
  name?: string
  /** Functions added to the builtins (Go's Template.Funcs). */
  funcs?: Record<string, FuncDef>
  /** Most bytes a rendering may produce (default 1 MiB). */
  maxOutput?: number
  /** Most range iterations in one rendering (default 100000). */
  maxIterations?: number
  /** Most nested parentheses (Go: 10000). */
  maxStackDepth?: number
}

/** Parses `source`; throws TemplateError naming what is wrong and where. */
export function compileTemplate(source: string, options: CompileOptions = {}): Template {
  const name = options.name ?? 'notification'
  const funcs = { ...BUILTINS, ...options.funcs }
  let root: ListNode
  try {
    root = parseTemplate(source, {
      name,
      funcs: new Set(Object.keys(funcs)),
      ...(options.maxStackDepth ? { maxStackDepth: options.maxStackDepth } : {}),
    })
  } catch (cause) {
    if (cause instanceof TemplateError) throw cause
    throw new TemplateError(`${name}: ${(cause as Error).message}`, { cause })
  }
  const o = {
    name,
    source,
    funcs,
    maxOutput: options.maxOutput ?? 1024 * 1024,
    maxIterations: options.maxIterations ?? 100_000,
  }
  return {
    source,
    execute(data) {
      try {
        return execute(root, data, o)
      } catch (cause) {
        if (cause instanceof TemplateError) throw cause
        throw new TemplateError(`${name}: execution failed: ${(cause as Error).message}`, { cause })
      }
    },
  }
}
