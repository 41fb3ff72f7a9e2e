import { type ImageReference, parseReference } from '@watchtower-ts/image-reference'
import { resolvesToLoopback } from '@watchtower-ts/tls'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { Agent, type Dispatcher } from 'undici'
import type { CredentialResolverLike, TokenCacheLike, TokenCacheStatsLike, TrustStoreLike } from './_deps.ts'
import { RegistrySession } from './_session.ts'
import { type CheckDeps, type CheckResult, check, fetchIndex, getDigest, type RemoteDigest } from './check.ts'
import type { RegistryEvent } from './events.ts'
import { composeExchange, createExchange, limitPerHost, redirect, retry } from './exchange.ts'
import { type ImageConfigInfo, imageConfig } from './image-config.ts'
import type { IndexDescriptor } from './platform.ts'
import { type Platform, platformFromNode } from './platform.ts'
import { parseRateLimit, type RateLimitInfo } from './rate-limit.ts'
import { type ListTagsOptions, listTags, type TagList } from './tags.ts'

export interface CreateRegistryClientOptions {
  /** Where credentials for a registry come from (`createCredentialResolver()` of @watchtower-ts/credentials). */
  credentials: CredentialResolverLike
  /** Bearer tokens, shared across cycles until they expire. @default createTokenCache({ now }) */
  tokenCache?: TokenCacheLike
  /** Per-host transports (CA, client certificate, whether http is allowed). @default one undici Agent, http for loopback only (`localhost` names when they resolve to loopback) */
  trust?: TrustStoreLike
  /** Used for every host when `trust` is not given (an app-composed Agent, or a test's MockAgent). */
  dispatcher?: Dispatcher
  /** @default 'watchtower-ts' */
  userAgent?: string
  /** Timeout of every request attempt, in ms. @default 30000 */
  timeoutMs?: number
  /** Retries for 408, 429, 5xx and network errors (never for 401/403/404). @default 2 */
  maxRetries?: number
  /** A Retry-After longer than this is not waited for: WT_REGISTRY_RATE_LIMITED at once. @default 60000 */
  maxRetryAfterMs?: number
  /** Requests in flight per host. @default 4 */
  concurrencyPerHost?: number
  /** At most this many repositories share one token; a bigger cycle is split into groups. @default 32 */
  maxScopesPerToken?: number
  /**
   * Refuse Bearer realms on another host than the registry's (by host name; the port may differ).
   * By default, as with Docker, credentials go to whatever token server the registry names.
   * @default false
   */
  realmSameHost?: boolean
  /** Registries that always get one token per repository (some cap the scopes of one token). @default [] */
  perRepositoryTokens?: readonly string[]
  /** Platform to resolve in multi-platform indexes when `check` is not given one. @default linux + this machine's architecture */
  platform?: Platform
  /** `client_id` sent to token servers. @default 'watchtower-ts' */
  clientId?: string
  /** @default Date.now */
  now?: () => number
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>
  /** Each step (ping, token, manifest, rate limit, retry); never carries a secret. */
  onEvent?: (event: RegistryEvent) => void
  /** Bounds of `listTags` (page size, pages, tags kept). */
  tags?: ListTagsOptions
}

export interface RegistryClientStats {
  requests: {
    ping: number
    token: number
    manifestHead: number
    manifestGet: number
    /** `GET /v2/<name>/tags/list` pages. */
    tagsList: number
    /** Config blobs (`imageConfig`). */
    blob: number
  }
  retries: number
  /** 429 answers seen (each attempt). */
  rateLimited: number
  /** Registries switched from one shared token to one token per repository. */
  authFallbacks: number
  /** Last rate-limit headers seen, per host. */
  rateLimit: Record<string, RateLimitInfo>
  tokenCache: TokenCacheStatsLike
}

export interface RegistryClient {
  getDigest(ref: ImageReference | string): Promise<RemoteDigest>
  /** Compares with the local image's `RepoDigests` of the same repository (platform-aware for indexes). */
  check(
    ref: ImageReference | string,
    localRepoDigests: readonly string[],
    platform?: Platform,
  ): Promise<CheckResult>
  /**
   * Starts a check cycle: forgets pings, challenges, resolved credentials and digests (tokens stay
   * cached by lifetime). Within a cycle each reference is asked once, however many containers use
   * it. With `refs`, the repositories of each registry are known up front, so one token covers all.
   */
  startCycle(refs?: Iterable<ImageReference | string>): void
  /**
   * The repository's tags (`/v2/<name>/tags/list`, every page), with the same token as its manifests
   * (scope `pull`). Within a cycle a repository is listed once, however often it is asked.
   */
  listTags(ref: ImageReference | string): Promise<TagList>
  /** The config of a tag (or digest) for a platform: its `created` time, for minimum-age policies. */
  imageConfig(ref: ImageReference | string, platform?: Platform): Promise<ImageConfigInfo>
  stats(): RegistryClientStats
  /** Closes the dispatcher the client made itself (not injected ones). */
  close(): Promise<void>
}

export function createRegistryClient(options: CreateRegistryClientOptions): RegistryClient {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const tokenCache = options.tokenCache ?? createTokenCache({ now })
  let ownAgent: Agent | undefined
  const trust: TrustStoreLike = options.trust ?? {
    transportFor: async (hostPort) => {
      if (!options.dispatcher && !ownAgent) ownAgent = new Agent()
      const dispatcher = options.dispatcher ?? ownAgent!
      return { dispatcher, allowHttp: await resolvesToLoopback(hostPort), verify: true }
    },
  }
  const emit = (e: RegistryEvent) => options.onEvent?.(e)
  const counters = {
    ping: 0,
    token: 0,
    manifestHead: 0,
    manifestGet: 0,
    tagsList: 0,
    blob: 0,
    retries: 0,
    rateLimited: 0,
    authFallbacks: 0,
  }
  const rateLimit: Record<string, RateLimitInfo> = {}
  // One exchange, the policies composed around it (innermost first): per-host limit, counters
  // (every attempt), retries, redirects. The steps (ping, token, manifest, tags) are the exported ones.
  const send = composeExchange(
    createExchange({
      dispatcherFor: async (url) => (await trust.transportFor(url.host)).dispatcher,
      explainTls: (url, err) => trust.explain?.(url.host, err),
      userAgent: options.userAgent ?? 'watchtower-ts',
      timeoutMs: options.timeoutMs ?? 30_000,
    }),
    limitPerHost(options.concurrencyPerHost ?? 4),
    (next) => async (req) => {
      const res = await next(req)
      if (req.kind === 'ping') counters.ping++
      else if (req.kind === 'token') counters.token++
      else if (req.kind === 'manifest-head') counters.manifestHead++
      else if (req.kind === 'tags-list') counters.tagsList++
      else if (req.kind === 'blob') counters.blob++
      else counters.manifestGet++
      if (res.status === 429) counters.rateLimited++
      const info = parseRateLimit(res.headers)
      if (info) {
        rateLimit[req.url.host] = info
        emit({ type: 'rate-limit', host: req.url.host, ...info })
      }
      return res
    },
    retry({
      maxRetries: options.maxRetries ?? 2,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      now,
      sleep,
      onRetry: (info) => {
        counters.retries++
        emit({ type: 'retry', ...info })
      },
    }),
    redirect(),
  )
  const perRepo = new Set(options.perRepositoryTokens ?? [])
  const sessions = new Map<string, RegistrySession>()
  const sessionFor = (ref: ImageReference): RegistrySession => {
    let s = sessions.get(ref.registry)
    if (!s) {
      s = new RegistrySession(ref.registry, ref.apiHost, {
        send,
        credentials: options.credentials,
        tokenCache,
        allowHttp: async (host) => (await trust.transportFor(host)).allowHttp,
        emit,
        now,
        clientId: options.clientId ?? 'watchtower-ts',
        maxScopesPerToken: options.maxScopesPerToken ?? 32,
        realmSameHost: options.realmSameHost ?? false,
        countAuthFallback: () => counters.authFallbacks++,
      })
      if (perRepo.has(ref.registry)) s.perRepo = true
      sessions.set(ref.registry, s)
    }
    return s
  }
  const toRef = (ref: ImageReference | string) => (typeof ref === 'string' ? parseReference(ref) : ref)
  // Per cycle, each reference is asked once however many containers use it (only once a cycle was
  // started: a client that never calls startCycle() always asks). Indexes are content-addressed.
  let cycles = false
  const digests = new Map<string, Promise<RemoteDigest>>()
  const tagLists = new Map<string, Promise<TagList>>()
  const configs = new Map<string, Promise<ImageConfigInfo>>()
  const indexes = new Map<string, Promise<IndexDescriptor[]>>()
  const deps: CheckDeps = {
    sessionFor,
    emit,
    now,
    platform: options.platform ?? platformFromNode(process.arch),
    async digestOf(ref) {
      if (!cycles) return getDigest(deps, ref)
      let p = digests.get(ref.canonical)
      if (!p) {
        p = getDigest(deps, ref)
        digests.set(ref.canonical, p)
      }
      return { ...(await p) }
    },
    indexOf(ref, digest) {
      let p = indexes.get(digest)
      if (!p) {
        p = fetchIndex(deps, ref, digest)
        indexes.set(digest, p)
        p.catch(() => indexes.delete(digest))
        if (indexes.size > 256) indexes.delete(indexes.keys().next().value!)
      }
      return p
    },
  }

  return {
    getDigest: (ref) => deps.digestOf(toRef(ref)),
    check: (ref, local, platform) => check(deps, toRef(ref), local, platform),
    listTags(raw) {
      const ref = toRef(raw)
      const key = `${ref.registry}/${ref.repository}`
      let p = cycles ? tagLists.get(key) : undefined
      if (!p) {
        p = listTags(sessionFor(ref), ref.repository, emit, now, options.tags)
        if (cycles) {
          tagLists.set(key, p)
          p.catch(() => tagLists.delete(key))
        }
      }
      return p
    },
    imageConfig(raw, platform = deps.platform) {
      const ref = toRef(raw)
      const key = `${ref.canonical}|${platform.os}/${platform.architecture}/${platform.variant ?? ''}`
      let p = cycles ? configs.get(key) : undefined
      if (!p) {
        p = imageConfig(deps, ref, platform)
        if (cycles) {
          configs.set(key, p)
          p.catch(() => configs.delete(key))
        }
      }
      return p
    },
    startCycle(refs) {
      cycles = true
      digests.clear()
      tagLists.clear()
      configs.clear()
      for (const s of sessions.values()) s.resetCycle()
      for (const raw of refs ?? []) {
        const ref = toRef(raw)
        if (!ref.pinned) sessionFor(ref).cycleRepos.add(ref.repository)
      }
    },
    stats: () => ({
      requests: {
        ping: counters.ping,
        token: counters.token,
        manifestHead: counters.manifestHead,
        manifestGet: counters.manifestGet,
        tagsList: counters.tagsList,
        blob: counters.blob,
      },
      retries: counters.retries,
      rateLimited: counters.rateLimited,
      authFallbacks: counters.authFallbacks,
      rateLimit: structuredClone(rateLimit),
      tokenCache: tokenCache.stats(),
    }),
    async close() {
      await ownAgent?.close()
      ownAgent = undefined
    },
  }
}
