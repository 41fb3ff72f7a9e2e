// Composes the packages into the session runner:
// tls → credentials → token cache → registry client → docker-updater.

import { readFileSync } from 'node:fs'
import { createCredentialResolver } from '@watchtower-ts/credentials'
import {
  type AuthProvider,
  type FleetEngine,
  type FleetUpdateOptions,
  parseTagPolicy,
  type RolledBackMemory,
  runFleetUpdate,
  runUpdate,
  type ContainerReport as UpdaterContainerReport,
} from '@watchtower-ts/docker-updater'
import { createRegistryClient } from '@watchtower-ts/registry-client'
import {
  createTrustStore,
  type ProxyConfig,
  proxyConfigFromEnv,
  redactProxyUrl,
  type TrustStore,
  validateCaBundle,
} from '@watchtower-ts/tls'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { narrowImageFilters, parseImageFilter } from './api/image-filter.ts'
import type { WatchtowerConfig } from './config/types.ts'
import { ConfigError, WatchtowerError } from './errors.ts'
import { credcheckHint, isUnchecked } from './progress.ts'
import {
  detectSelfContainerId,
  removeOtherInstances,
  SELF_UPDATE_HELPER_COMMAND,
  settleAtStart,
} from './self-update.ts'
import { registryChecker } from './session/checker.ts'
import { type EngineTarget, resolveEngines } from './session/engines.ts'
import { findHomeEngine } from './session/home-engine.ts'
import { eventLogger, logPassResult } from './session/pass-log.ts'
import {
  buildReport,
  type ContainerReport,
  type ContainerState,
  type EngineResult,
  type RunnerContext,
  type SessionReport,
  type SessionRunner,
} from './session/types.ts'

export interface WiringOptions {
  env?: NodeJS.ProcessEnv
  /** The container this process runs in. @default detected from /proc/self/mountinfo */
  selfContainerId?: string
  /** User-Agent of registry requests (tests tell their own requests apart by it). @default watchtower-ts */
  userAgent?: string
  /** The engines to use instead of those the --host values name (tests give fake ones). @default resolved from --host */
  engines?: EngineTarget[]
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
  } catch {
    return ''
  }
}

const STATES: Record<UpdaterContainerReport['state'], ContainerState> = {
  updated: 'Updated',
  failed: 'Failed',
  skipped: 'Skipped',
  stale: 'Stale',
  fresh: 'Fresh',
  restarted: 'Fresh',
  'rolled-back': 'Failed',
}

/**
 * docker-updater's per-container result → the session report entry templates and the API use.
 * A container whose registry check or pull failed (refused credentials, untrusted certificate,
 * registry down) is Failed, not Skipped as upstream: so notifications, --porcelain, the failed
 * metric and the exit code of --run-once all show it. Its error carries the credcheck hint.
 */
export function toContainerReport(c: UpdaterContainerReport): ContainerReport {
  const unchecked = isUnchecked(c)
  const error = unchecked ? `${c.error ?? 'unknown error'}; ${credcheckHint(c.image)}` : c.error
  return {
    ...(c.kind === 'service' ? { kind: 'service' as const } : {}),
    id: c.id,
    ...(c.newId && c.state === 'updated' ? { newId: c.newId } : {}),
    name: c.name,
    imageName: c.image,
    currentImageId: c.oldImageId,
    latestImageId: c.newImageId ?? c.oldImageId,
    state: unchecked ? 'Failed' : STATES[c.state],
    ...(error ? { error } : {}),
    ...(c.tagChange
      ? { tagChange: { from: c.tagChange.from, to: c.tagChange.to, newImageName: c.tagChange.newImage } }
      : {}),
    ...(c.waiting
      ? { waiting: { imageName: c.waiting.image, waitMs: c.waiting.waitMs, reason: c.waiting.reason } }
      : {}),
  }
}

/** `--insecure-registry` with `*` (or --registry-tls-skip): every host gets its own insecure trust store. */
async function trustFor(config: WatchtowerConfig, proxy: ProxyConfig): Promise<TrustStore> {
  const caFile = config.registryCa || undefined
  const listed = config.insecureRegistries.filter((h) => h !== '*')
  const base = await createTrustStore({ ...(caFile ? { caFile } : {}), insecureRegistries: listed, proxy })
  if (!config.insecureRegistries.includes('*')) return base
  const perHost = new Map<string, Promise<TrustStore>>()
  const storeFor = (hostPort: string) => {
    const host = hostPort.replace(/^[a-z]+:\/\//, '').split('/')[0]!
    let s = perHost.get(host)
    if (!s) {
      s = createTrustStore({ ...(caFile ? { caFile } : {}), insecureRegistries: [host], proxy })
      perHost.set(host, s)
    }
    return s
  }
  return {
    transportFor: async (h) => (await storeFor(h)).transportFor(h),
    describe: async (h) => (await storeFor(h)).describe(h),
    explain: (h, e) => base.explain(h, e),
    async close() {
      await base.close()
      for (const s of perHost.values()) await (await s).close()
    },
  }
}

/** One line naming the proxies in use (user-info masked), or undefined when none is set. */
export function describeProxy(proxy: ProxyConfig): string | undefined {
  const parts: string[] = []
  if (proxy.httpsProxy) parts.push(`HTTPS_PROXY=${redactProxyUrl(proxy.httpsProxy)}`)
  if (proxy.httpProxy) parts.push(`HTTP_PROXY=${redactProxyUrl(proxy.httpProxy)}`)
  if (parts.length === 0) return undefined
  if (proxy.noProxy) parts.push(`NO_PROXY=${proxy.noProxy}`)
  return `Registry and token requests use HTTP proxies (Go's ProxyFromEnvironment rules): ${parts.join(', ')}`
}

export { warnOnHeadFailure } from './session/checker.ts'
export { statusStep } from './session/pass-log.ts'

/** The registry session of a process: one client (and token cache) for every pass and engine. */
async function registrySession(config: WatchtowerConfig, ctx: RunnerContext, options: WiringOptions) {
  const env = options.env ?? ctx.env
  const log = ctx.log
  if (config.registryCaValidate) {
    try {
      const v = await validateCaBundle(config.registryCa)
      for (const w of v.warnings) log.warn({ notify: false }, w)
      log.info({ notify: false }, `Registry CA bundle ${config.registryCa} validated successfully`)
    } catch (cause) {
      throw new ConfigError(
        `failed to validate the registry CA bundle (--registry-ca ${config.registryCa}): ${(cause as Error).message}`,
        {
          source: '--registry-ca-validate',
          cause,
        },
      )
    }
  }
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lower case too), read here and handed down: the packages
  // never read the environment. Proxy user-info is never printed.
  const proxy = proxyConfigFromEnv(env)
  const trust = await trustFor(config, proxy)
  const proxyLine = describeProxy(proxy)
  if (proxyLine) log.info({ notify: false }, proxyLine)
  const credentials = createCredentialResolver({
    env,
    onWarning: (message) => log.warn({ notify: false }, message),
  })
  const tokenCache = createTokenCache()
  const registry = createRegistryClient({
    credentials,
    tokenCache,
    trust,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    realmSameHost: config.registryRealmSameHost,
    onEvent: (event) => {
      ctx.observer?.registryEvent(event)
      log.trace({ notify: false, registry: event }, 'registry')
    },
  })
  const auth: AuthProvider = {
    async engineAuth(ref) {
      const creds = await credentials.resolve(ref.registry)
      return creds.kind === 'anonymous' ? undefined : creds.engineAuth()
    },
  }
  return { registry, trust, auth }
}

/** The real session runner: one pass over the configured engine (or engines: a fleet). */
export async function createSessionRunner(
  config: WatchtowerConfig,
  ctx: RunnerContext,
  options: WiringOptions = {},
): Promise<SessionRunner> {
  const env = options.env ?? ctx.env
  const log = ctx.log
  const { registry, trust, auth } = await registrySession(config, ctx, options)
  const targets = options.engines ?? resolveEngines(config, env)
  const fleet = targets.length > 1
  const engine = targets[0]!.engine
  const selection = {
    names: config.containerNames,
    disabledNames: config.disableContainers,
    labelEnable: config.labelEnable,
    ...(config.scope ? { scope: config.scope } : {}),
    includeStopped: config.includeStopped,
    includeRestarting: config.includeRestarting,
  }
  const monitorImages = config.monitorImageNames.length
    ? parseImageFilter(config.monitorImageNames)
    : undefined
  const skipImages = config.skipImageNames.length ? parseImageFilter(config.skipImageNames) : undefined

  // Service updates the cluster rolled back: not retried for the same digest while this process lives.
  const rolledBack: RolledBackMemory = new Map()
  const swarmNote = { logged: false }
  const tagPolicy = parseTagPolicy({ policy: config.tagPolicy }, '--tag-policy')

  const selfId = options.selfContainerId ?? detectSelfContainerId(readMountinfo())
  if (selfId) log.debug({ notify: false }, `Running in container ${selfId.slice(0, 12)}`)
  // The engine of the own container (self-update, other instances, own service): in a fleet the
  // one that has it, asked once; the first engine otherwise.
  let home: Promise<EngineTarget> | undefined
  const homeTarget = () => (home ??= findHomeEngine(targets, selfId, log))
  // Running as a swarm service's task: that service is updated last, without waiting on itself.
  let selfService: Promise<string | undefined> | undefined
  const selfServiceId = () =>
    (selfService ??= selfId
      ? homeTarget()
          .then((t) => t.engine.inspectContainer(selfId))
          .then((c) => c.Config.Labels?.['com.docker.swarm.service.id'])
          .catch(() => undefined)
      : Promise.resolve(undefined))

  /** The options of a pass shared by every engine. */
  const passOptions = (checkOnly: boolean) => ({
    ...selection,
    auth,
    reviveStopped: config.reviveStopped,
    monitorOnly: config.monitorOnly || checkOnly,
    noPull: config.noPull,
    labelTakePrecedence: config.labelTakePrecedence,
    noRestart: config.noRestart,
    cleanup: config.cleanup,
    removeVolumes: config.removeVolumes,
    rollingRestart: config.rollingRestart,
    stopTimeoutMs: config.stopTimeoutMs,
    healthTimeoutMs: config.healthTimeoutMs,
    tagPolicy,
    cooldownDelayMs: config.cooldownDelayMs,
    lifecycleHooks: config.lifecycleHooks,
    containers: !config.noContainers,
    services: !config.noServices,
    serviceTimeoutMs: config.serviceTimeoutMs,
    rolledBack,
  })
  const selfOptions = (ownService: string | undefined) => ({
    ...(ownService ? { selfServiceId: ownService } : {}),
    ...(selfId ? { selfContainerId: selfId, selfUpdate: { helperCommand: SELF_UPDATE_HELPER_COMMAND } } : {}),
  })

  return {
    async startup() {
      if (!selfId) return
      const own = (await homeTarget()).engine
      const settled = await settleAtStart(own, selfId, config.cleanup, log)
      if (settled === 'superseded') return
      await removeOtherInstances(own, selfId, config.scope, log).catch((err: Error) =>
        log.warn(`Could not look for other watchtower instances: ${err.message}`),
      )
    },
    async ping() {
      await engine.version()
    },
    async run(request) {
      // A helper that died while this instance kept running leaves it renamed aside: settle first.
      if (selfId) await settleAtStart((await homeTarget()).engine, selfId, config.cleanup, log)
      const chosen = request?.hosts?.length ? targets.filter((t) => request.hosts!.includes(t.host)) : targets
      if (request?.hosts?.length && chosen.length === 0)
        throw new WatchtowerError(
          'WT_WATCHTOWER_UPDATE',
          `no engine named ${request.hosts.join(', ')} (engines: ${targets.map((t) => t.host).join(', ')})`,
        )
      // a check-only pass (the status page's) notifies nobody
      const quiet = request?.checkOnly ? { notify: false as const } : {}
      const configErrors = new Set<string>()
      const checker = registryChecker(registry, config, log, configErrors, ctx.observer)
      const ownService = config.noServices ? undefined : await selfServiceId()
      // image selection is docker-updater's: the API's `image=` within --monitor-image-names
      const asked = request?.images && request.images.length > 0 ? request.images : undefined
      const images =
        asked && monitorImages ? narrowImageFilters(asked, monitorImages) : (asked ?? monitorImages)
      const shared = {
        ...passOptions(request?.checkOnly === true),
        ...(images ? { images } : {}),
        ...(skipImages ? { skipImages } : {}),
        checker,
      }
      let built: SessionReport
      if (!fleet) {
        const report = await runUpdate({
          ...shared,
          engine,
          ...selfOptions(ownService),
          onEvent: eventLogger(log, quiet, ctx.observer),
        })
        logPassResult(log, report, quiet, swarmNote)
        built = buildReport(report.containers.map(toContainerReport))
      } else {
        built = await fleetPass(chosen, shared, ownService, quiet, await homeTarget())
      }
      return configErrors.size > 0 ? { ...built, configErrors: [...configErrors] } : built
    },
    stats() {
      const s = registry.stats()
      const rate: Record<string, number> = {}
      for (const [host, info] of Object.entries(s.rateLimit)) {
        const remaining = (info as { remaining?: number }).remaining
        if (typeof remaining === 'number') rate[host] = remaining
      }
      return {
        registryRequests: { ...s.requests },
        tokenCacheHits: s.tokenCache.hits,
        tokenCacheMisses: s.tokenCache.misses,
        rateLimitRemaining: rate,
      }
    },
    async close() {
      await trust.close()
      await Promise.all(targets.map((t) => t.engine.close?.()))
    },
  }

  /** One pass over several engines: one registry session, engines updated in parallel. */
  async function fleetPass(
    chosen: EngineTarget[],
    shared: Omit<FleetUpdateOptions, 'engines'>,
    ownService: string | undefined,
    quiet: { notify?: false },
    own: EngineTarget,
  ): Promise<SessionReport> {
    const engines: FleetEngine[] = chosen.map((t) => ({
      host: t.host,
      engine: t.engine,
      ...(t === own ? selfOptions(ownService) : {}),
    }))
    const loggers = new Map(engines.map((e) => [e.host, eventLogger(log, quiet, ctx.observer, e.host)]))
    const fleetReport = await runFleetUpdate({
      ...shared,
      engines,
      engineConcurrency: config.engineConcurrency,
      onEvent: (e, host) => loggers.get(host)?.(e),
    })
    const entries: ContainerReport[] = []
    const engineResults: EngineResult[] = []
    for (const r of fleetReport.engines) {
      if (r.error) {
        log.error(
          { host: r.host, ...quiet },
          `Engine ${r.host} ${r.error.phase === 'select' ? 'could not be reached' : 'failed mid-pass'}: ${r.error.message}`,
        )
      }
      if (r.report) logPassResult(log, r.report, quiet, swarmNote, r.host)
      const own = (r.report?.containers ?? []).map((c) => ({ ...toContainerReport(c), host: r.host }))
      entries.push(...own)
      engineResults.push({
        host: r.host,
        ...(r.error ? { error: r.error.message } : {}),
        counts: engineCounts(own),
      })
    }
    return { ...buildReport(entries), engines: engineResults }
  }
}

function engineCounts(entries: readonly ContainerReport[]): EngineResult['counts'] {
  const r = buildReport(entries)
  return {
    scanned: r.scanned.length,
    updated: r.updated.length,
    failed: r.failed.length,
    skipped: r.skipped.length,
    stale: r.stale.length,
    fresh: r.fresh.length,
  }
}
