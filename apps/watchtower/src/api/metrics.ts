// Prometheus metrics with upstream's names, plus registry, token-cache and rate-limit figures.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { RunnerStats, SessionReport } from '../session/types.ts'

export interface Metrics {
  readonly registry: Registry
  /** A finished session (scheduled or API-triggered). */
  recordScan(report: SessionReport): void
  /** A scheduled session skipped because another one was running. */
  recordSkipped(): void
  render(): Promise<{ contentType: string; body: string }>
}

export function createMetrics(stats?: () => RunnerStats | undefined): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const scanned = new Gauge({
    name: 'watchtower_containers_scanned',
    help: 'Number of containers scanned for changes by watchtower during the last scan',
    registers: [registry],
  })
  const updated = new Gauge({
    name: 'watchtower_containers_updated',
    help: 'Number of containers updated by watchtower during the last scan',
    registers: [registry],
  })
  const failed = new Gauge({
    name: 'watchtower_containers_failed',
    help: 'Number of containers where update failed during the last scan',
    registers: [registry],
  })
  const service = (what: string, help: string) =>
    new Gauge({ name: `watchtower_services_${what}`, help, registers: [registry] })
  const servicesScanned = service('scanned', 'Number of swarm services scanned during the last scan')
  const servicesUpdated = service(
    'updated',
    'Number of swarm services updated (or found stale with monitor-only) during the last scan',
  )
  const servicesFailed = service(
    'failed',
    'Number of swarm services whose update failed (rolled back, paused, timed out) during the last scan',
  )
  const waiting = new Gauge({
    name: 'watchtower_containers_waiting',
    help: 'Containers whose update the cooldown delay held back during the last scan',
    registers: [registry],
  })
  const tagChanges = new Gauge({
    name: 'watchtower_container_tag_change',
    help: 'Containers a tag policy moved (state Updated) or found a newer tag for (Stale) during the last scan',
    labelNames: ['container', 'from', 'to', 'state'],
    registers: [registry],
  })
  // With several engines (--host repeated): the last scan per engine; absent with one engine.
  const engineContainers = new Gauge({
    name: 'watchtower_engine_containers',
    help: 'With several engines: containers of each engine in the last scan, by state (scanned, updated, failed)',
    labelNames: ['host', 'state'],
    registers: [registry],
  })
  const engineUp = new Gauge({
    name: 'watchtower_engine_reachable',
    help: 'With several engines: 1 when the engine was reached and its pass completed in the last scan, else 0',
    labelNames: ['host'],
    registers: [registry],
  })
  const total = new Counter({
    name: 'watchtower_scans_total',
    help: 'Number of scans since the watchtower started',
    registers: [registry],
  })
  const skipped = new Counter({
    name: 'watchtower_scans_skipped',
    help: 'Number of skipped scans since watchtower started',
    registers: [registry],
  })
  new Gauge({
    name: 'watchtower_registry_requests',
    help: 'Registry requests since start, by kind (ping, token, manifestHead, manifestGet)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = stats?.()
      this.reset()
      for (const [kind, n] of Object.entries(s?.registryRequests ?? {})) this.set({ kind }, n)
    },
  })
  new Gauge({
    name: 'watchtower_token_cache_hits',
    help: 'Bearer tokens answered from the cache since start',
    registers: [registry],
    collect() {
      this.set(stats?.()?.tokenCacheHits ?? 0)
    },
  })
  new Gauge({
    name: 'watchtower_token_cache_misses',
    help: 'Bearer token lookups that needed a token request since start',
    registers: [registry],
    collect() {
      this.set(stats?.()?.tokenCacheMisses ?? 0)
    },
  })
  new Gauge({
    name: 'watchtower_registry_rate_limit_remaining',
    help: 'Last RateLimit-Remaining seen per registry host',
    labelNames: ['registry'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [host, n] of Object.entries(stats?.()?.rateLimitRemaining ?? {}))
        this.set({ registry: host }, n)
    },
  })
  return {
    registry,
    recordScan(r) {
      total.inc()
      const containers = (l: SessionReport['all']) => l.filter((c) => c.kind !== 'service').length
      const services = (l: SessionReport['all']) => l.length - containers(l)
      scanned.set(containers(r.scanned))
      updated.set(containers(r.updated) + containers(r.stale))
      failed.set(containers(r.failed))
      servicesScanned.set(services(r.scanned))
      servicesUpdated.set(services(r.updated) + services(r.stale))
      servicesFailed.set(services(r.failed))
      engineContainers.reset()
      engineUp.reset()
      for (const e of r.engines ?? []) {
        engineUp.set({ host: e.host }, e.error ? 0 : 1)
        for (const state of ['scanned', 'updated', 'failed'] as const)
          engineContainers.set({ host: e.host, state }, e.counts[state])
      }
      waiting.set(r.all.filter((c) => c.waiting).length)
      tagChanges.reset()
      for (const c of r.all) {
        if (c.tagChange)
          tagChanges.set(
            {
              container: c.name.replace(/^\//, ''),
              from: c.tagChange.from,
              to: c.tagChange.to,
              state: c.state,
            },
            1,
          )
      }
    },
    recordSkipped() {
      total.inc()
      skipped.inc()
      scanned.set(0)
      updated.set(0)
      failed.set(0)
      servicesScanned.set(0)
      servicesUpdated.set(0)
      servicesFailed.set(0)
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}
