// Renders the status API's zod schemas as the README's schema section (tables of fields), so the
// documentation and the checks in the tests come from one place.
import { z } from 'zod'
import {
  ContainersResponse,
  RegistriesResponse,
  Registry,
  Session,
  SessionRegistry,
  SessionsResponse,
  StatusEvent,
  schemaNames,
  Target,
  TargetState,
} from './schema.ts'

interface Json {
  $ref?: string
  type?: string | string[]
  format?: string
  const?: unknown
  enum?: unknown[]
  anyOf?: Json[]
  oneOf?: Json[]
  items?: Json
  additionalProperties?: Json | boolean
  properties?: Record<string, Json>
  description?: string
}

const cell = (s: string) => s.replace(/\|/g, '\\|')

function typeOf(j: Json): string {
  if (j.$ref) return `[${j.$ref.split('/').pop()}](#${j.$ref.split('/').pop()!.toLowerCase()})`
  const alts = j.anyOf ?? j.oneOf
  if (alts) {
    const nonNull = alts.filter((a) => a.type !== 'null')
    return nonNull.map(typeOf).join(' or ') + (nonNull.length < alts.length ? ' or null' : '')
  }
  if (j.const !== undefined) return `\`${JSON.stringify(j.const)}\``
  if (j.enum) return j.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')
  if (j.type === 'string' && j.format === 'date-time') return 'time (ISO 8601, UTC)'
  if (j.type === 'array' && j.items) return `array of ${typeOf(j.items)}`
  if (j.type === 'object' && typeof j.additionalProperties === 'object')
    return `object: host → ${typeOf(j.additionalProperties)}`
  if (Array.isArray(j.type)) {
    const t = j.type.filter((x) => x !== 'null').join(' or ')
    return j.type.includes('null') ? `${t} or null` : t
  }
  return j.type ?? 'any'
}

const descOf = (j: Json): string =>
  j.description ?? (j.anyOf ?? []).map((a) => a.description).find((d) => d) ?? ''

function table(j: Json): string {
  const rows = Object.entries(j.properties ?? {}).map(
    ([k, v]) =>
      `| \`${k}\` | ${cell(typeOf(v))} | ${cell(descOf(v) || (v.$ref ? `See ${typeOf(v)}` : ''))} |`,
  )
  return ['| Field | Type | Meaning |', '| --- | --- | --- |', ...rows].join('\n')
}

/** JSON Schema of `root`, with every other named schema inside it as a reference by name. */
function toJson(root: z.ZodType): Json {
  return z.toJSONSchema(root, {
    unrepresentable: 'any',
    override(ctx) {
      const name = schemaNames.get(ctx.zodSchema)
      if (!name || (ctx.zodSchema as unknown) === root) return
      const j = ctx.jsonSchema as Record<string, unknown>
      for (const k of Object.keys(j)) delete j[k]
      j.$ref = `#/$defs/${name}`
    },
  }) as Json
}

const DOCUMENTED = [
  ['ContainersResponse', ContainersResponse, 'GET /v1/containers'],
  ['Target', Target, ''],
  ['TargetState', TargetState, ''],
  ['SessionsResponse', SessionsResponse, 'GET /v1/sessions'],
  ['Session', Session, ''],
  ['SessionRegistry', SessionRegistry, ''],
  ['RegistriesResponse', RegistriesResponse, 'GET /v1/registries'],
  ['Registry', Registry, ''],
] as const

/** The README's "Status API schema" section body (Markdown). */
export function renderStatusSchemaMarkdown(): string {
  const out: string[] = []
  for (const [name, schema, route] of DOCUMENTED) {
    const j = toJson(schema)
    out.push(`##### ${name}`, '')
    if (route) out.push(`The answer of \`${route}\`.`, '')
    if (j.enum) {
      out.push(`One of ${typeOf(j)}.`, '', j.description ?? '', '')
      continue
    }
    out.push(table(j), '')
  }
  out.push('##### StatusEvent', '')
  out.push('`GET /v1/events` (text/event-stream): each event is `event: <type>` and `data: <JSON>`:', '')
  const events = toJson(StatusEvent)
  for (const v of events.oneOf ?? events.anyOf ?? []) {
    const props = v.properties ?? {}
    const type = JSON.stringify(props.type?.const).replace(/"/g, '')
    const fields = Object.entries(props)
      .filter(([k]) => k !== 'type')
      .map(([k, p]) => `\`${k}\` (${typeOf(p)})`)
      .join(', ')
    out.push(`- \`${type}\`: ${v.description ?? ''}; ${fields}.`)
  }
  return `${out.join('\n').trim()}\n`
}
