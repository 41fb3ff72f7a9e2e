// The status API's JSON: one zod schema per answer. The server's answers are typed from these, the
// tests validate real answers with them, and the README's schema section is written from them.
import { z } from 'zod'

/** What a target is in now. `cooldown` is reserved for a delayed-update feature (none yet). */
export const TargetState = z.enum([
  'up-to-date',
  'stale',
  'updating',
  'cooldown',
  'failed',
  'skipped',
  'unknown',
])
export type TargetState = z.infer<typeof TargetState>

const iso = z.iso.datetime()

/** A watched target. Only containers today; services and engines are meant to fit as other kinds. */
export const Target = z.object({
  kind: z.enum(['container']),
  /** Stable within a host: the container name (its id changes on every recreate). */
  name: z.string(),
  /** The Docker engine the target runs on (the --host value). */
  host: z.string(),
  /** Current container id (full). */
  id: z.string(),
  /** Image reference the container runs and is checked against. */
  image: z.string(),
  /** Repo digest of the local image for that reference, when the engine knows one. */
  currentDigest: z.string().nullable(),
  /** Digest the registry gave for the reference at the last check. */
  latestDigest: z.string().nullable(),
  currentImageId: z.string(),
  latestImageId: z.string(),
  state: TargetState,
  /** Why skipped, or the step in progress while updating. */
  reason: z.string().nullable(),
  lastCheck: iso.nullable(),
  lastUpdate: iso.nullable(),
  lastError: z.string().nullable(),
})
export type Target = z.infer<typeof Target>

export const ContainersResponse = z.object({
  containers: z.array(Target),
  /** Next scheduled check, or null when periodic polls are off. */
  nextCheck: iso.nullable(),
  /** Whether POST /v1/update exists (the page shows "update now" buttons). */
  updateEnabled: z.boolean(),
})
export type ContainersResponse = z.infer<typeof ContainersResponse>

/** One registry's share of a pass. */
export const SessionRegistry = z.object({
  /** HTTP requests sent to the registry and its token server (pings, tokens, manifests). */
  requests: z.number().int().nonnegative(),
  /** Token requests among them. */
  tokenRequests: z.number().int().nonnegative(),
  /** Tokens answered from the cache. */
  tokenCacheHits: z.number().int().nonnegative(),
})
export type SessionRegistry = z.infer<typeof SessionRegistry>

export const Session = z.object({
  id: z.number().int().positive(),
  /** `schedule`, `api` (POST /v1/update), `check` (the status page's check-only pass). */
  trigger: z.enum(['schedule', 'api', 'check', 'once']),
  startedAt: iso,
  durationMs: z.number().int().nonnegative(),
  scanned: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  stale: z.number().int().nonnegative(),
  /** The session's own error (the engine could not be reached ...), not a container's. */
  error: z.string().nullable(),
  registries: z.record(z.string(), SessionRegistry),
})
export type Session = z.infer<typeof Session>

export const SessionsResponse = z.object({
  /** The last 100 passes, newest first. */
  sessions: z.array(Session).max(100),
})
export type SessionsResponse = z.infer<typeof SessionsResponse>

export const Registry = z.object({
  host: z.string(),
  /** Since the state began (kept across restarts with --state-file). */
  requests: z.number().int().nonnegative(),
  tokenRequests: z.number().int().nonnegative(),
  tokenCacheHits: z.number().int().nonnegative(),
  /** Last RateLimit-Remaining the registry sent, null when it never sent one. */
  rateLimitRemaining: z.number().nullable(),
  rateLimitLimit: z.number().nullable(),
  lastSeen: iso.nullable(),
})
export type Registry = z.infer<typeof Registry>

export const RegistriesResponse = z.object({ registries: z.array(Registry) })
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

/** Server-sent events on GET /v1/events (`event:` name → `data:` JSON). */
export const StatusEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('target'), target: Target }),
  z.object({ type: z.literal('progress'), host: z.string(), name: z.string(), step: z.string() }),
  z.object({ type: z.literal('session-start'), trigger: Session.shape.trigger, startedAt: iso }),
  z.object({ type: z.literal('session'), session: Session }),
  z.object({ type: z.literal('next-check'), nextCheck: iso.nullable() }),
])
export type StatusEvent = z.infer<typeof StatusEvent>
