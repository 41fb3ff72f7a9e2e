import { BUILTINS, execute } from './_exec.ts'
import { type Node, parseTemplate } from './_parser.ts'
import { TemplateError } from './errors.ts'

export { shortId } from './_format.ts'
export { TemplateError }

/** A parsed Go text/template (the subset users write for watchtower notifications). */
export interface Template {
  readonly source: string
  execute(data: unknown): string
}

/** Parses `source`; throws TemplateError naming what is wrong. */
export function compileTemplate(source: string): Template {
  let nodes: Node[]
  try {
    nodes = parseTemplate(source)
  } catch (cause) {
    if (cause instanceof TemplateError) throw cause
    throw new TemplateError(String(cause), { cause })
  }
  return {
    source,
    execute(data) {
      try {
        return execute(nodes, data, BUILTINS)
      } catch (cause) {
        if (cause instanceof TemplateError) throw cause
        throw new TemplateError(`execution failed: ${(cause as Error).message}`, { cause })
      }
    },
  }
}
