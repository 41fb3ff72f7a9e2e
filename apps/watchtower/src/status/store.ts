// What the status API and page show: every watched target, the last 100 passes and per-registry
// figures, kept in memory and, with --state-file, in a file written atomically (0600, bounded) so a
// restart shows the history. It is fed by the session runner through a small observer (registry
// events, digests seen by checks, progress steps) and by the session results; every change is
// published to subscribers (the SSE feed of GET /v1/events).
import { randomBytes } from 'node:crypto'
import { chmod, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import type { RegistryEvent } from '@watchtower-ts/registry-client'
import type { ContainerReport, SessionReport } from '../session/types.ts'
import {
  type Registry,
  type Session,
  type SessionRegistry,
  StateFile,
  type StatusEvent,
  type Target,
  type TargetState,
} from './schema.ts'

export const MAX_SESSIONS = 100
export const MAX_TARGETS = 2000
export const MAX_REGISTRIES = 200
/** A state file larger than this is not read (the bounded file is far smaller). */
export const MAX_STATE_BYTES = 8 * 1024 * 1024
const MAX_TEXT = 2000

export type SessionTrigger = Session['trigger']

/** What the session runner reports while a pass runs (the seam between wiring and the store). */
export interface RunObserver {
  registryEvent(e: RegistryEvent): void
  /** A check of `image` found these digests (the local repo digest, the registry's). */
  checked(image: string, currentDigest: string | undefined, latestDigest: string | undefined): void
  /** A step of a container's update (stop, create, start, health, rollback ...) on engine `host` (a fleet's --host value; the store's own by default). */
  progress(container: string, step: string, host?: string): void
}

export interface TargetFilter {
  host?: string | undefined
  states?: readonly TargetState[] | undefined
}

export interface StatusStore extends RunObserver {
  targets(filter?: TargetFilter): Target[]
  sessions(): Session[]
  registries(): Registry[]
  nextCheck(): number | null
  setNextCheck(ms: number | null): void
  beginSession(trigger: SessionTrigger): void
  /** Ends the open pass. `partial`: only some images were checked, other targets keep their state. */
  endSession(result: { report?: SessionReport; error?: string; partial?: boolean }): Promise<Session>
  subscribe(listener: (e: StatusEvent) => void): () => void
}

export interface StatusStoreOptions {
  /** The engine the targets run on (the --host value). */
  host: string
  now?: () => number
  /** --state-file: read at creation, written after every pass. */
  file?: string
  /** A state file that cannot be read or is not ours: the store starts empty and says why. */
  onWarning?: (message: string) => void
}

const cut = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s)
const bare = (name: string) => name.replace(/^\//, '')
const digestOnly = (d: string | undefined) => (d ? (d.includes('@') ? d.slice(d.indexOf('@') + 1) : d) : null)

const STATE_OF: Record<ContainerReport['state'], TargetState> = {
  Updated: 'up-to-date',
  Fresh: 'up-to-date',
  Scanned: 'up-to-date',
  Stale: 'stale',
  Failed: 'failed',
  Skipped: 'skipped',
}

export async function createStatusStore(o: StatusStoreOptions): Promise<StatusStore> {
  const now = o.now ?? Date.now
  const iso = (ms = now()) => new Date(ms).toISOString()
  const targets = new Map<string, Target>()
  let sessions: Session[] = []
  const registries = new Map<string, Registry>()
  let nextSessionId = 1
  let next: number | null = null
  const listeners = new Set<(e: StatusEvent) => void>()
  const emit = (e: StatusEvent) => {
    for (const l of listeners) {
      try {
        l(e)
      } catch {
        // a subscriber's failure is its own
      }
    }
  }
  const key = (host: string, name: string) => `${host}\n${name}`

  if (o.file) {
    const loaded = await load(o.file, o.onWarning)
    if (loaded) {
      for (const t of loaded.targets.slice(0, MAX_TARGETS)) targets.set(key(t.host, t.name), t)
      sessions = loaded.sessions.slice(0, MAX_SESSIONS)
      for (const r of loaded.registries.slice(0, MAX_REGISTRIES)) registries.set(r.host, r)
      nextSessionId = loaded.nextSessionId
    }
  }

  // the pass in progress
  let open:
    | {
        trigger: SessionTrigger
        started: number
        registries: Map<string, SessionRegistry>
        digests: Map<string, { current: string | null; latest: string | null }>
      }
    | undefined

  const registry = (host: string) => {
    let r = registries.get(host)
    if (!r) {
      r = {
        host,
        requests: 0,
        tokenRequests: 0,
        tokenCacheHits: 0,
        rateLimitRemaining: null,
        rateLimitLimit: null,
        lastSeen: null,
      }
      registries.set(host, r)
      if (registries.size > MAX_REGISTRIES) {
        const oldest = [...registries.values()].sort((a, b) =>
          (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''),
        )[0]!
        registries.delete(oldest.host)
      }
    }
    r.lastSeen = iso()
    return r
  }
  const count = (host: string, field: keyof SessionRegistry) => {
    registry(host)[field]++
    if (!open) return
    let s = open.registries.get(host)
    if (!s) {
      s = { requests: 0, tokenRequests: 0, tokenCacheHits: 0 }
      open.registries.set(host, s)
    }
    s[field]++
  }

  const fromReport = (c: ContainerReport, at: string): Target => {
    const name = bare(c.name)
    const host = c.host ?? o.host
    const prev = targets.get(key(host, name))
    const d = open?.digests.get(c.imageName)
    const state: TargetState = c.waiting ? 'cooldown' : STATE_OF[c.state]
    const updated = c.state === 'Updated'
    return {
      kind: 'container',
      name,
      host,
      id: c.newId ?? c.id,
      image: c.imageName,
      currentDigest: updated ? (d?.latest ?? null) : (d?.current ?? prev?.currentDigest ?? null),
      latestDigest: d?.latest ?? prev?.latestDigest ?? null,
      currentImageId: updated ? c.latestImageId : c.currentImageId,
      latestImageId: c.latestImageId,
      state,
      reason:
        state === 'skipped' && c.error
          ? cut(c.error)
          : state === 'cooldown' && c.waiting
            ? cut(c.waiting.reason)
            : c.tagChange && state === 'stale'
              ? cut(`newer tag: ${c.tagChange.from} → ${c.tagChange.to}`)
              : null,
      lastCheck: state === 'skipped' ? (prev?.lastCheck ?? null) : at,
      lastUpdate: updated ? at : (prev?.lastUpdate ?? null),
      lastError: state === 'failed' && c.error ? cut(c.error) : state === 'failed' ? 'failed' : null,
    }
  }

  const save = async () => {
    if (!o.file) return
    const data: StateFile = {
      version: 1,
      nextSessionId,
      targets: [...targets.values()],
      sessions,
      registries: [...registries.values()],
    }
    await writeAtomically(o.file, `${JSON.stringify(data)}\n`)
  }

  return {
    targets(filter) {
      return [...targets.values()]
        .filter((t) => !filter?.host || t.host === filter.host)
        .filter((t) => !filter?.states?.length || filter.states.includes(t.state))
        .sort((a, b) => a.name.localeCompare(b.name))
    },
    sessions: () => [...sessions],
    registries: () => [...registries.values()].sort((a, b) => a.host.localeCompare(b.host)),
    nextCheck: () => next,
    setNextCheck(ms) {
      if (ms === next) return
      next = ms
      emit({ type: 'next-check', nextCheck: ms === null ? null : iso(ms) })
    },
    registryEvent(e) {
      switch (e.type) {
        case 'ping':
        case 'manifest':
          count(e.registry, 'requests')
          return
        case 'token-request':
          count(e.registry, 'requests')
          count(e.registry, 'tokenRequests')
          return
        case 'token':
          if (e.cached) count(e.registry, 'tokenCacheHits')
          return
        case 'rate-limit': {
          const r = registry(e.host)
          if (e.remaining !== undefined) r.rateLimitRemaining = e.remaining
          if (e.limit !== undefined) r.rateLimitLimit = e.limit
          return
        }
        default:
          return
      }
    },
    checked(image, current, latest) {
      open?.digests.set(image, { current: digestOnly(current), latest: digestOnly(latest) })
    },
    progress(container, step, host = o.host) {
      const name = bare(container)
      emit({ type: 'progress', host, name, step })
      const t = targets.get(key(host, name))
      if (!t) return
      const updating: Target = { ...t, state: 'updating', reason: cut(step) }
      targets.set(key(host, name), updating)
      emit({ type: 'target', target: updating })
    },
    beginSession(trigger) {
      const started = now()
      open = { trigger, started, registries: new Map(), digests: new Map() }
      emit({ type: 'session-start', trigger, startedAt: iso(started) })
    },
    async endSession({ report, error, partial }) {
      const started = open?.started ?? now()
      const at = iso()
      if (report) {
        const seen = new Set<string>()
        for (const c of report.all) {
          const t = fromReport(c, at)
          seen.add(key(t.host, t.name))
          targets.set(key(t.host, t.name), t)
          emit({ type: 'target', target: t })
        }
        // a full pass saw every watched container of each engine it reached: the others are gone
        // (an engine that failed keeps its targets: the pass did not see them)
        if (!partial) {
          const reached = new Set(
            report.engines ? report.engines.filter((e) => !e.error).map((e) => e.host) : [o.host],
          )
          for (const [k, t] of targets) if (reached.has(t.host) && !seen.has(k)) targets.delete(k)
        }
        while (targets.size > MAX_TARGETS) targets.delete(targets.keys().next().value!)
      }
      // a target left "updating" by a pass that ended early falls back to what it was checked as
      for (const [k, t] of targets) {
        if (t.state === 'updating') {
          const back: Target = { ...t, state: 'unknown', reason: null }
          targets.set(k, back)
          emit({ type: 'target', target: back })
        }
      }
      const session: Session = {
        id: nextSessionId++,
        trigger: open?.trigger ?? 'schedule',
        startedAt: iso(started),
        durationMs: Math.max(0, now() - started),
        scanned: report?.scanned.length ?? 0,
        updated: report?.updated.length ?? 0,
        failed: report?.failed.length ?? 0,
        skipped: report?.skipped.length ?? 0,
        stale: report?.stale.length ?? 0,
        error: error ? cut(error) : null,
        registries: Object.fromEntries(open?.registries ?? []),
      }
      open = undefined
      sessions = [session, ...sessions].slice(0, MAX_SESSIONS)
      emit({ type: 'session', session })
      try {
        await save()
      } catch (err) {
        o.onWarning?.(`cannot write the state file ${o.file}: ${(err as Error).message}`)
      }
      return session
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

async function load(file: string, warn?: (m: string) => void): Promise<StateFile | undefined> {
  try {
    const s = await stat(file)
    if (!s.isFile()) {
      warn?.(`the state file ${file} is not a regular file: starting with an empty history`)
      return undefined
    }
    if (s.size > MAX_STATE_BYTES) {
      warn?.(
        `the state file ${file} is ${s.size} bytes (more than ${MAX_STATE_BYTES}): starting with an empty history`,
      )
      return undefined
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    warn?.(`cannot read the state file ${file}: ${(err as Error).message}: starting with an empty history`)
    return undefined
  }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    warn?.(`cannot read the state file ${file}: ${(err as Error).message}: starting with an empty history`)
    return undefined
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    warn?.(`the state file ${file} is not JSON (${(err as Error).message}): starting with an empty history`)
    return undefined
  }
  const parsed = StateFile.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    warn?.(
      `the state file ${file} is not a watchtower state (at ${issue?.path.join('.') || 'top'}: ${issue?.message}): starting with an empty history`,
    )
    return undefined
  }
  return parsed.data
}

/** Writes `text` to a temporary file beside `file` (0600), flushes it, then renames it over `file`. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' })
    await chmod(tmp, 0o600) // the umask cannot widen it, but a pre-set ACL default might
    const fh = await open(tmp, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
