/**
 * Per-registry state for one check cycle, and the authorization loop.
 *
 * Cycle:  ping `GET /v2/` once (https first; http only when the transport allows it, like dockerd)
 *         → challenge (none | Basic | Bearer) → credentials resolved once.
 * Bearer: when the cycle announced several repositories of this registry (`startCycle(refs)`),
 *         ONE token is asked with every `repository:<r>:pull` scope; if the registry refuses a call
 *         made with it (401/403) or the token server refuses the multi-scope request, the registry
 *         falls back to one token per repository for the rest of the client's life.
 * 401/403 on a resource, in this order: `insufficient_scope` naming a scope we lack → ask for it;
 *         a cached token refused as invalid → evict it (only that token) and fetch once more; a fresh
 *         shared token refused → one token per repository; an open /v2/ with a challenge on the
 *         resource → answer it; anything else (the same challenge again included) → stop with
 *         WT_REGISTRY_UNAUTHORIZED, never loop.
 */
import { stripControl } from '@watchtower-ts/credentials'
import type {
  CredentialResolverLike,
  RegistryCredentialsLike,
  TokenCacheLike,
  TokenKeyLike,
} from './_deps.ts'
import { type Challenge, challengeKey, challengeScopes, parseChallenges, pickChallenge } from './challenge.ts'
import { isRegistryError, RegistryError } from './errors.ts'
import type { RegistryEvent } from './events.ts'
import { displayUrl, type Exchange, type RegistryRequest, type RegistryResponse } from './exchange.ts'
import { ping } from './ping.ts'
import { refusedError, statusError } from './status.ts'
import { requestToken, resolveRealm } from './token.ts'

export interface SessionContext {
  /** The client's exchange (limits, counters, retries, redirects). */
  send: Exchange
  credentials: CredentialResolverLike
  tokenCache: TokenCacheLike
  allowHttp(apiHost: string): Promise<boolean>
  emit(e: RegistryEvent): void
  now(): number
  clientId: string
  /** Refuse a token realm on another host than the registry's (`--registry-realm-same-host`). */
  realmSameHost: boolean
  /** Scopes in one shared token at most (long token URLs break some servers). */
  maxScopesPerToken: number
  countAuthFallback(): void
}

interface Auth {
  header?: string
  key?: TokenKeyLike
  /** The bearer token sent (internal only: never emitted). */
  token?: string
  fresh: boolean
  scopes: string[]
}

export class RegistrySession {
  scheme: 'https' | 'http' = 'https'
  challenge: Challenge | undefined
  credentials: RegistryCredentialsLike | undefined
  /** Repositories the current cycle will check (shared-token scopes). */
  readonly cycleRepos = new Set<string>()
  /** Sticky per-registry fallback to one token per repository. */
  perRepo = false
  #ready: Promise<void> | undefined
  #tokenDenied: RegistryError | undefined

  constructor(
    readonly registry: string,
    readonly apiHost: string,
    readonly ctx: SessionContext,
  ) {}

  /** Forget the ping, challenge and credentials: the next request pings again. */
  resetCycle(): void {
    this.#ready = undefined
    this.#tokenDenied = undefined
    this.challenge = undefined
    this.credentials = undefined
    this.cycleRepos.clear()
  }

  baseUrl(): string {
    return `${this.scheme}://${this.apiHost}`
  }

  ready(): Promise<void> {
    this.#ready ??= this.#ping().catch((err: unknown) => {
      this.#ready = undefined
      throw err
    })
    return this.#ready
  }

  async #ping(): Promise<void> {
    const credsPromise = this.ctx.credentials.resolve(this.registry)
    credsPromise.catch(() => {})
    const result = await pingRegistry(this.ctx, this.registry, this.apiHost)
    this.scheme = result.scheme
    this.challenge = result.challenge
    const creds = await credsPromise
    this.credentials = creds
    this.ctx.emit({
      type: 'credentials',
      registry: this.registry,
      kind: creds.kind,
      ...(creds.username === undefined ? {} : { username: creds.username }),
      source: creds.source.description,
    })
  }

  /** The shared scopes for `repository`: its group of at most `maxScopesPerToken` cycle repositories. */
  #scopesFor(repository: string): string[] {
    let repos = [repository]
    if (!this.perRepo && this.cycleRepos.has(repository) && this.cycleRepos.size > 1) {
      const all = [...this.cycleRepos].sort()
      const size = Math.max(1, this.ctx.maxScopesPerToken)
      const start = Math.floor(all.indexOf(repository) / size) * size
      repos = all.slice(start, start + size)
    }
    return repos.map((r) => `repository:${r}:pull`)
  }

  /**
   * Sends a request built by `build` with whatever authorization the registry wants, following the
   * loop described at the top of this file. Returns the response for any status but 401/403.
   */
  async send(
    repository: string,
    build: (authorization: string | undefined) => RegistryRequest,
  ): Promise<RegistryResponse> {
    await this.ready()
    let scopes = this.#scopesFor(repository)
    let lastChallenge: string | undefined
    let sharedRefused = false
    let extended = false
    let refetched = false
    for (let round = 0; ; round++) {
      let auth: Auth
      try {
        auth = await this.#authorize(scopes)
      } catch (err) {
        if (!(err instanceof SharedTokenRefused) || round >= 4)
          throw err instanceof SharedTokenRefused ? err.original : err
        this.ctx.emit({
          type: 'auth-retry',
          registry: this.registry,
          repository,
          reason: 'shared-token-refused',
          status: err.original.status ?? 0,
          scopes,
        })
        scopes = this.#scopesFor(repository)
        continue
      }
      const res = await this.ctx.send(build(auth.header))
      if (res.status !== 401 && res.status !== 403) return res
      // Evict only the token that was refused: a concurrent caller may already have a fresh one.
      if (auth.key) this.ctx.tokenCache.evict(auth.key, auth.token)
      const challenges = parseChallenges(res.headers['www-authenticate'])
      const ch = pickChallenge(challenges)
      const key = challengeKey(ch)
      const retry = (reason: Extract<RegistryEvent, { type: 'auth-retry' }>['reason']) =>
        this.ctx.emit({
          type: 'auth-retry',
          registry: this.registry,
          repository,
          reason,
          status: res.status,
          scopes,
        })
      if (round >= 4)
        throw refusedError(
          this.registry,
          this.credentials,
          repository,
          res,
          auth.header?.startsWith('Bearer') ? auth.scopes : undefined,
        )
      const bearer = this.challenge?.scheme === 'bearer'
      // 1. The registry names a scope we did not ask for: ask for it.
      if (
        bearer &&
        ch?.scheme === 'bearer' &&
        res.status === 401 &&
        ch.params['error'] === 'insufficient_scope'
      ) {
        const wanted = challengeScopes(ch).filter((s) => !scopes.includes(s))
        // Only `pull` on the repository being checked is ever asked for (README, security): a
        // registry asking for more (push, another repository, registry:catalog:*) is refused.
        const own = `repository:${repository}:pull`
        const foreign = wanted.find((s) => s !== own)
        if (foreign !== undefined) {
          throw new RegistryError(
            'WT_REGISTRY_SCOPE_REFUSED',
            `the registry asked for the token scope ${JSON.stringify(stripControl(foreign).slice(0, 200))} (insufficient_scope); watchtower only ever asks for ${JSON.stringify(own)}: ${displayUrl(res.url)}`,
            { registry: this.registry, url: displayUrl(res.url), status: res.status },
          )
        }
        if (wanted.length > 0 && key !== lastChallenge) {
          scopes = [...scopes, ...wanted].sort()
          extended = true
          retry('insufficient-scope')
          lastChallenge = key
          continue
        }
      }
      // 2. A token from the cache was refused as invalid (expired or revoked early; not for lacking a
      //    scope, which a new token with the same scopes would not fix): fetch it again, once.
      const lacksScope = ch?.params['error'] === 'insufficient_scope'
      if (bearer && res.status === 401 && !auth.fresh && !refetched && !lacksScope) {
        refetched = true
        retry('token-refused')
        lastChallenge = key
        continue
      }
      // 3. A fresh shared token was refused: one token per repository from now on.
      if (bearer && auth.scopes.length > 1 && !sharedRefused && !extended) {
        sharedRefused = this.#fallBack()
        retry('shared-token-refused')
        scopes = this.#scopesFor(repository)
        lastChallenge = key
        continue
      }
      // 4. An open /v2/ but a challenge on the resource: answer it.
      if (!this.challenge && ch) {
        this.challenge = ch
        retry('challenge-on-resource')
        lastChallenge = key
        continue
      }
      throw refusedError(
        this.registry,
        this.credentials,
        repository,
        res,
        auth.header?.startsWith('Bearer') ? auth.scopes : undefined,
      )
    }
  }

  /** Switches this registry to one token per repository; true (always) so it can sit in a condition. */
  #fallBack(): true {
    if (!this.perRepo) {
      this.perRepo = true
      this.ctx.countAuthFallback()
    }
    return true
  }

  async #authorize(scopes: string[]): Promise<Auth> {
    const ch = this.challenge
    const creds = this.credentials!
    if (!ch) return { fresh: false, scopes }
    if (ch.scheme === 'basic') {
      const header = creds.basicAuthorization()
      return header ? { header, fresh: false, scopes } : { fresh: false, scopes }
    }
    if (ch.scheme !== 'bearer') return { fresh: false, scopes }
    const realm = resolveRealm({
      challenge: ch,
      registry: this.registry,
      scheme: this.scheme,
      apiHost: this.apiHost,
      credentialKind: creds.kind,
      sameHostOnly: this.ctx.realmSameHost,
    })
    const service = ch.params['service']
    const key: TokenKeyLike = {
      registry: this.registry,
      realm: realm.href,
      scopes,
      identity: creds.fingerprint,
      ...(service === undefined ? {} : { service }),
    }
    if (this.#tokenDenied) throw this.#tokenDenied
    let fresh = false
    try {
      const cached = await this.ctx.tokenCache.get(key, () => {
        fresh = true
        return requestToken(
          this.ctx.send,
          {
            registry: this.registry,
            realm,
            service,
            scopes,
            credentials: creds,
            clientId: this.ctx.clientId,
            now: this.ctx.now,
          },
          ({ method, grant, status, expiresIn }) =>
            this.ctx.emit({
              type: 'token-request',
              registry: this.registry,
              realm: displayUrl(realm),
              ...(service === undefined ? {} : { service }),
              scopes,
              method,
              grant,
              status,
              ...(expiresIn === undefined ? {} : { expiresIn }),
            }),
        )
      })
      this.ctx.emit({
        type: 'token',
        registry: this.registry,
        realm: displayUrl(realm),
        scopes,
        cached: !fresh,
        expiresAt: cached.expiresAt,
      })
      return { header: `Bearer ${cached.token}`, key, token: cached.token, fresh, scopes }
    } catch (err) {
      if (scopes.length > 1 && isRegistryError(err) && err.status !== undefined && err.status < 500) {
        // The token server refused the multi-repository request: fall back to one token per repository.
        this.#fallBack()
        throw new SharedTokenRefused(err)
      }
      // Real credentials refused hold for every repository; an anonymous refusal may be per repository.
      if (isRegistryError(err, 'WT_REGISTRY_TOKEN_DENIED') && creds.kind !== 'anonymous')
        this.#tokenDenied = err
      throw err
    }
  }
}

/** Thrown inside `send` when the shared token cannot be had; `send` callers retry once per repository. */
export class SharedTokenRefused extends Error {
  constructor(readonly original: RegistryError) {
    super(original.message)
  }
}

/** The client's ping: `ping()` once per registry per cycle, its events, and its errors. */
async function pingRegistry(
  ctx: SessionContext,
  registry: string,
  apiHost: string,
): Promise<{ scheme: 'https' | 'http'; challenge: Challenge | undefined }> {
  const result = await ping(ctx.send, {
    registry,
    apiHost,
    allowHttp: () => ctx.allowHttp(apiHost),
    onFallback: (err) =>
      ctx.emit({
        type: 'scheme-fallback',
        registry,
        from: 'https',
        to: 'http',
        reason: err instanceof Error ? err.message : String(err),
      }),
  })
  const res = result.response
  ctx.emit({
    type: 'ping',
    registry,
    url: displayUrl(res.url),
    status: res.status,
    challenges: result.challenges,
  })
  if (res.status === 200 || res.status === 401) return { scheme: result.scheme, challenge: result.challenge }
  if (res.status === 404) {
    throw new RegistryError(
      'WT_REGISTRY_PROTOCOL',
      `not a registry v2 API (404 on /v2/): GET ${displayUrl(res.url)}`,
      {
        registry,
        url: displayUrl(res.url),
        method: 'GET',
        status: 404,
      },
    )
  }
  throw statusError(registry, 'the registry API (/v2/)', undefined, 'GET', res, ctx.now)
}
