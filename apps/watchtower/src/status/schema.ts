// The status API's JSON: one zod schema per answer. The server's answers are typed from these,
// the tests validate real answers with them, and the README's schema section is generated from
// them (schema-doc.ts; a test keeps it in sync).
import { z } from 'zod'

/** Names of the documented schemas, for the README's cross references. */
export const schemaNames = new Map<unknown, string>()
const named = <T extends z.ZodType>(id: string, schema: T): T => {
  schemaNames.set(schema, id)
  return schema
}

const time = (what: string) => z.iso.datetime().describe(what)

export const TargetState = named(
  'TargetState',
  z
    .enum(['up-to-date', 'stale', 'updating', 'cooldown', 'failed', 'skipped', 'unknown'])
    .describe(
      'up-to-date: the registry has nothing newer; stale: it has (not updated: monitor-only, a check pass, or --no-restart; a newer tag found by a tag policy is named in reason); updating: an update is running (see reason); cooldown: the cooldown delay holds a newer image back (see reason: its age and the time left); failed: the last update or check failed (see lastError); skipped: not checked (see reason); unknown: a pass ended before this target was settled',
    ),
)
export type TargetState = z.infer<typeof TargetState>

/** A watched target. Only containers today; services and engines are meant to fit as other kinds. */
export const Target = named(
  'Target',
  z.object({
    kind: z.enum(['container']).describe('What the target is (only containers so far)'),
    name: z.string().describe('Container name: stable across updates (the id changes on every recreate)'),
    host: z.string().describe('The Docker engine it runs on (the --host value)'),
    id: z.string().describe('Current container id'),
    image: z.string().describe('Image reference the container runs and is checked against'),
    currentDigest: z
      .string()
      .nullable()
      .describe('Repo digest of the local image for that reference (null when the engine has none)'),
    latestDigest: z
      .string()
      .nullable()
      .describe('Digest the registry gave for the reference at the last check'),
    currentImageId: z.string().describe('Image id the container runs'),
    latestImageId: z
      .string()
      .describe(
        'Image id the last pass pulled for it; the same as currentImageId when it pulled nothing newer',
      ),
    state: TargetState,
    reason: z.string().nullable().describe('Why skipped, or the step in progress while updating'),
    lastCheck: time('Last time a pass checked it').nullable(),
    lastUpdate: time('Last time watchtower updated it').nullable(),
    lastError: z.string().nullable().describe('Why the last update or check failed'),
  }),
)
export type Target = z.infer<typeof Target>

export const ContainersResponse = named(
  'ContainersResponse',
  z.object({
    containers: z.array(Target).describe('Every watched target, by name'),
    nextCheck: time('Next scheduled check; null when periodic polls are off').nullable(),
    updateEnabled: z.boolean().describe('Whether POST /v1/update exists (--http-api-update)'),
  }),
)
export type ContainersResponse = z.infer<typeof ContainersResponse>

/** One registry's share of a pass. */
export const SessionRegistry = named(
  'SessionRegistry',
  z.object({
    requests: z
      .number()
      .int()
      .nonnegative()
      .describe('HTTP requests to the registry and its token server (pings, tokens, manifests)'),
    tokenRequests: z.number().int().nonnegative().describe('Token requests among them'),
    tokenCacheHits: z.number().int().nonnegative().describe('Tokens answered from the cache'),
  }),
)
export type SessionRegistry = z.infer<typeof SessionRegistry>

const count = (what: string) => z.number().int().nonnegative().describe(what)

export const Session = named(
  'Session',
  z.object({
    id: z
      .number()
      .int()
      .positive()
      .describe('Increases by one per pass (kept across restarts with --state-file)'),
    trigger: z
      .enum(['schedule', 'api', 'check', 'once'])
      .describe(
        'schedule; api (POST /v1/update); check (a check-only pass: the status page at start-up and POST /v1/check); once (--run-once)',
      ),
    startedAt: time('When the pass began'),
    durationMs: count('How long it took'),
    scanned: count('Containers checked'),
    updated: count('Containers updated'),
    failed: count('Containers whose update or check failed'),
    skipped: count('Containers not checked'),
    stale: count('Containers found stale and left as they are'),
    error: z.string().nullable().describe("The pass's own error (the engine could not be reached ...)"),
    registries: z.record(z.string(), SessionRegistry).describe('Per registry host'),
  }),
)
export type Session = z.infer<typeof Session>

export const SessionsResponse = named(
  'SessionsResponse',
  z.object({ sessions: z.array(Session).max(100).describe('The last 100 passes, newest first') }),
)
export type SessionsResponse = z.infer<typeof SessionsResponse>

export const Registry = named(
  'Registry',
  z.object({
    host: z.string().describe('Registry host[:port]'),
    requests: count('Requests since the history began (it survives restarts with --state-file)'),
    tokenRequests: count('Token requests among them'),
    tokenCacheHits: count('Tokens answered from the cache'),
    rateLimitRemaining: z
      .number()
      .nullable()
      .describe('Last RateLimit-Remaining it sent; null when it sends none'),
    rateLimitLimit: z.number().nullable().describe('Last RateLimit-Limit it sent'),
    lastSeen: time('Last request to it').nullable(),
  }),
)
export type Registry = z.infer<typeof Registry>

export const RegistriesResponse = named(
  'RegistriesResponse',
  z.object({ registries: z.array(Registry).describe('By host') }),
)
export type RegistriesResponse = z.infer<typeof RegistriesResponse>

/** What `--state-file` holds. */
export const StateFile = z.object({
  version: z.literal(1),
  nextSessionId: z.number().int().positive(),
  targets: z.array(Target),
  sessions: z.array(Session),
  registries: z.array(Registry),
})
export type StateFile = z.infer<typeof StateFile>

/** Server-sent events on GET /v1/events: `event: <type>` and `data: <this JSON>`. */
export const StatusEvent = named(
  'StatusEvent',
  z.discriminatedUnion('type', [
    z
      .object({ type: z.literal('target'), target: Target })
      .describe('A target changed (checked, updating, updated, failed)'),
    z
      .object({ type: z.literal('progress'), host: z.string(), name: z.string(), step: z.string() })
      .describe('A step of an update (stop, create, start, health, rollback ...)'),
    z
      .object({ type: z.literal('session-start'), trigger: Session.shape.trigger, startedAt: time('') })
      .describe('A pass began'),
    z.object({ type: z.literal('session'), session: Session }).describe('A pass ended'),
    z
      .object({ type: z.literal('next-check'), nextCheck: time('').nullable() })
      .describe('The next scheduled check moved'),
  ]),
)
export type StatusEvent = z.infer<typeof StatusEvent>
