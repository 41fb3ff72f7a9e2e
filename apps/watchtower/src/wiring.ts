// Composes the packages into the session runner:
// tls → credentials → token cache → registry client → docker-updater.

import { readFileSync } from 'node:fs'
import { createCredentialResolver } from '@watchtower-ts/credentials'
import {
  createDockerEngine,
  type ProgressEvent,
  parseTagPolicy,
  type RolledBackMemory,
  runUpdate,
  type ContainerReport as UpdaterContainerReport,
} from '@watchtower-ts/docker-updater'
import { isDockerHubHost } from '@watchtower-ts/image-reference'
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
import { ConfigError } from './errors.ts'
import { credcheckHint, isUnchecked, outcomeLine, progressLine } from './progress.ts'
import {
  detectSelfContainerId,
  removeOtherInstances,
  SELF_UPDATE_HELPER_COMMAND,
  settleAtStart,
} from './self-update.ts'
import {
  buildReport,
  type ContainerReport,
  type ContainerState,
  type RunnerContext,
  type SessionRunner,
} from './session/types.ts'

export interface WiringOptions {
  env?: NodeJS.ProcessEnv
  /** The container this process runs in. @default detected from /proc/self/mountinfo */
  selfContainerId?: string
  /** User-Agent of registry requests (tests tell their own requests apart by it). @default watchtower-ts */
  userAgent?: string
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

/**
 * What the status page shows while a container updates: the typed progress events that belong to
 * one container (found-stale is a check's result, not an update, and pull progress names no container).
 */
export function statusStep(e: ProgressEvent): { container: string; step: string } | undefined {
  switch (e.type) {
    case 'pull':
      return e.phase === 'begin' ? { container: e.container, step: 'pulling' } : undefined
    case 'stop':
      return { container: e.container, step: e.phase === 'begin' ? 'stopping' : 'stopped' }
    case 'create':
      return { container: e.container, step: e.phase === 'begin' ? 'creating' : 'created' }
    case 'start':
      return { container: e.container, step: e.phase === 'begin' ? 'starting' : 'started' }
    case 'healthy':
      return { container: e.container, step: e.health === 'healthy' ? 'healthy' : 'running' }
    case 'rolled-back':
      return { container: e.container, step: `rolled back: ${e.reason}` }
    default:
      return undefined
  }
}

/** `--warn-on-head-failure`: auto warns only for Docker Hub and ghcr.io (as upstream). */
export function warnOnHeadFailure(mode: WatchtowerConfig['warnOnHeadFailure'], registry: string): boolean {
  if (mode === 'always') return true
  if (mode === 'never') return false
  return isDockerHubHost(registry) || registry === 'ghcr.io'
}

const LOCAL_CONFIG_ERRORS = new Set([
  'WT_CREDENTIALS_CONFIG_INVALID_JSON',
  'WT_CREDENTIALS_CONFIG_INVALID',
  'WT_CREDENTIALS_FILE_UNREADABLE',
  'WT_CREDENTIALS_ENV_INVALID',
])

/** An error in the user's own files or env (config.json, `*_FILE`), not the registry's. */
function isLocalConfigError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && LOCAL_CONFIG_ERRORS.has(code)
}

/** The real session runner. */
export async function createSessionRunner(
  config: WatchtowerConfig,
  ctx: RunnerContext,
  options: WiringOptions = {},
): Promise<SessionRunner> {
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
  const engine = createDockerEngine({
    host: config.dockerHost,
    env: {
      ...env,
      DOCKER_HOST: config.dockerHost,
      DOCKER_TLS_VERIFY: config.tlsVerify ? '1' : '',
      DOCKER_CERT_PATH: config.certPath || env.DOCKER_CERT_PATH,
    },
    ...(config.apiVersion ? { apiVersion: config.apiVersion } : {}),
  })
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
  let swarmNoteLogged = false
  const tagPolicy = parseTagPolicy({ policy: config.tagPolicy }, '--tag-policy')

  const selfId = options.selfContainerId ?? detectSelfContainerId(readMountinfo())
  if (selfId) log.debug({ notify: false }, `Running in container ${selfId.slice(0, 12)}`)
  // Running as a swarm service's task: that service is updated last, without waiting on itself.
  let selfService: Promise<string | undefined> | undefined
  const selfServiceId = () =>
    (selfService ??= selfId
      ? engine
          .inspectContainer(selfId)
          .then((c) => c.Config.Labels?.['com.docker.swarm.service.id'])
          .catch(() => undefined)
      : Promise.resolve(undefined))

  return {
    async startup() {
      if (!selfId) return
      const settled = await settleAtStart(engine, selfId, config.cleanup, log)
      if (settled === 'superseded') return
      await removeOtherInstances(engine, selfId, config.scope, log).catch((err: Error) =>
        log.warn(`Could not look for other watchtower instances: ${err.message}`),
      )
    },
    async ping() {
      await engine.version()
    },
    async run(request) {
      // A helper that died while this instance kept running leaves it renamed aside: settle first.
      if (selfId) await settleAtStart(engine, selfId, config.cleanup, log)
      // image selection is docker-updater's: the API's `image=` within --monitor-image-names
      const asked = request?.images && request.images.length > 0 ? request.images : undefined
      const images =
        asked && monitorImages ? narrowImageFilters(asked, monitorImages) : (asked ?? monitorImages)
      // a check-only pass (the status page's) notifies nobody
      const quiet = request?.checkOnly ? { notify: false } : {}
      const configErrors = new Set<string>()
      const ownService = config.noServices ? undefined : await selfServiceId()
      const report = await runUpdate({
        ...selection,
        ...(images ? { images } : {}),
        ...(skipImages ? { skipImages } : {}),
        engine,
        checker: {
          // One ping per registry and one token for all of a registry's repositories per pass.
          // A reference that does not parse is left out here and reported by its own check.
          prepare: (refs) => registry.startCycle(refs),
          async check(ref, digests) {
            const imageRef = ref.original
            try {
              const r = await registry.check(ref, digests)
              ctx.observer?.checked(imageRef, digests[0], r.remote.digest)
              return { status: r.status, remoteDigest: r.remote.digest }
            } catch (err) {
              // Upstream falls back to a plain pull here; watchtower-ts does not update on an unverified answer,
              // so the message says what happens instead (the container is reported as failed once per pass).
              const message = `Could not do a head request for "${imageRef}"; not updating it this pass: ${(err as Error).message}`
              if (isLocalConfigError(err)) {
                // not the registry's fault: the user's own files are broken; never at debug level only
                if (!configErrors.has((err as Error).message)) log.error((err as Error).message)
                configErrors.add((err as Error).message)
              } else if (warnOnHeadFailure(config.warnOnHeadFailure, ref.registry)) log.warn(message)
              else log.debug(message)
              throw err
            }
          },
          // Tag policies and the cooldown delay: the same client, session and token (scope pull).
          async listTags(ref) {
            const list = await registry.listTags(ref)
            return { tags: list.tags, truncated: list.truncated }
          },
          async imageConfig(ref, platform) {
            const info = await registry.imageConfig(ref, platform)
            return {
              platform: info.platform,
              ...(info.created === undefined ? {} : { created: info.created }),
            }
          },
        },
        auth: {
          async engineAuth(ref) {
            const creds = await credentials.resolve(ref.registry)
            return creds.kind === 'anonymous' ? undefined : creds.engineAuth()
          },
        },
        reviveStopped: config.reviveStopped,
        monitorOnly: config.monitorOnly || request?.checkOnly === true,
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
        ...(ownService ? { selfServiceId: ownService } : {}),
        ...(selfId
          ? { selfContainerId: selfId, selfUpdate: { helperCommand: SELF_UPDATE_HELPER_COMMAND } }
          : {}),
        onEvent: (e) => {
          if (e.type === 'warning') log.warn({ container: e.container }, e.message)
          else if (e.type === 'hook')
            log.info(
              { container: e.container, hook: e.hook, exitCode: e.exitCode },
              e.output.trim() || `${e.hook} hook done`,
            )
          else if (e.type === 'step') {
            // stop, create, start and health have their own progress lines
            if (!['stop', 'create', 'start', 'health'].includes(e.step)) {
              ctx.observer?.progress(e.container, e.step)
              log.debug({ container: e.container, notify: false }, e.step)
            }
          } else {
            const step = statusStep(e)
            if (step) ctx.observer?.progress(step.container, step.step)
            const line = progressLine(e)
            log[line.level]({ ...line.fields, ...quiet }, line.msg)
          }
        },
      })
      for (const r of report.recovered) {
        log.warn(
          { container: r.name },
          `Settled a swap left half-done by an earlier run (${r.action})${r.error ? `: ${r.error}` : ''}`,
        )
      }
      const swarm = report.swarm
      if (swarm.note) {
        // Once at info (a daemon would repeat it every pass), then at debug.
        const line = `Swarm ${swarm.role}: ${swarm.note}${swarm.taskContainers ? ` (${swarm.taskContainers} task containers here)` : ''}`
        if (swarmNoteLogged) log.debug({ notify: false }, line)
        else log.info({ notify: false }, line)
        swarmNoteLogged = true
      } else if (swarm.role === 'manager')
        log.debug(
          { notify: false },
          `Swarm manager: ${swarm.services} services looked at, ${swarm.taskContainers} task containers left to them`,
        )
      for (const c of report.containers) {
        const line = outcomeLine(c)
        if (line) log[line.level]({ ...line.fields, ...quiet }, line.msg)
        const fields = c.kind === 'service' ? { service: c.name } : { container: c.name }
        for (const w of c.warnings) log.warn(fields, w)
        for (const n of c.notes ?? []) log.info({ ...fields, event: 'tag-policy', ...quiet }, n)
      }
      const built = buildReport(report.containers.map(toContainerReport))
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
    },
  }
}
