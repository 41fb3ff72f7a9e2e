import type { CheckResult } from './check.ts'
import type { ContainerInspect } from './engine.ts'
import { imageNameOf } from './filters.ts'
import { dependenciesOf } from './order.ts'
import { bare, type Selection } from './select.ts'
import type { ServiceTarget } from './services.ts'
import type { ContainerReport, UpdateOptions } from './types.ts'

/** One container the plan recreates. */
export interface PlanStep {
  c: ContainerInspect
  report: ContainerReport
  /** Not stale itself: recreated (on its own image) because a dependency or network supplier is. */
  restartOnly: boolean
}

/** Plan: what a pass changes on one engine, decided from the selection and the check alone. */
export interface UpdatePlan {
  /** Containers to recreate, dependencies first; `container:` network consumers last. */
  steps: PlanStep[]
  /** The container this updater runs in, when it is to be recreated: handled last (self-update.ts). */
  self?: PlanStep
  /** Reports of the network consumers the plan added (not in the check's reports). */
  added: ContainerReport[]
  /** Stale services the cluster rolls out (monitor-only ones left out). */
  services: ServiceTarget[]
  /** The service this updater runs in, when stale: updated last, without waiting on itself. */
  ownService?: ServiceTarget
}

/**
 * Plan (pure: no engine, no clock): stale containers and, transitively, everything that depends on
 * one are recreated; `container:` network consumers outside the selection with their supplier
 * (they lose their network otherwise, watchtower#1286); monitor-only and skipped ones never.
 */
export function planUpdate(
  selection: Selection,
  check: CheckResult,
  options: Pick<UpdateOptions, 'selfContainerId' | 'selfServiceId'>,
): UpdatePlan {
  const marked = new Set<string>()
  const steps: PlanStep[] = []
  let self: PlanStep | undefined
  for (const c of selection.containers) {
    const report = check.reports.get(c.Id)
    if (!report || check.monitorOnly.has(c.Id) || report.state === 'skipped') continue
    const deps = dependenciesOf(c, selection.containers, selection.nameOf, { forRestart: true })
    const restartOnly = report.state !== 'stale'
    if (restartOnly && !deps.some((d) => marked.has(d))) continue
    marked.add(bare(c.Name))
    const step = { c, report, restartOnly }
    if (c.Id === options.selfContainerId) self = step
    else steps.push(step)
  }

  const added: ContainerReport[] = []
  const seen = new Set(selection.containers.map((c) => c.Id))
  const queue = [...steps]
  for (let supplier = queue.shift(); supplier; supplier = queue.shift()) {
    for (const c of selection.networkConsumers) {
      const mode = networkModeOf(selection, c)
      if (seen.has(c.Id) || !mode.startsWith('container:')) continue
      const target = mode.slice('container:'.length)
      if (!supplier.c.Id.startsWith(target) && bare(target) !== bare(supplier.c.Name)) continue
      seen.add(c.Id)
      const report: ContainerReport = {
        id: c.Id,
        name: bare(c.Name),
        image: imageNameOf(c),
        oldImageId: c.Image,
        state: 'fresh',
        warnings: [`recreated because it uses the network of ${bare(supplier.c.Name)}`],
      }
      added.push(report)
      const step = { c, report, restartOnly: true }
      steps.push(step)
      queue.push(step)
    }
  }

  const stale = check.services.filter((t) => t.report.state === 'stale' && !t.monitorOnly)
  const ownService = stale.find((t) => t.service.ID === options.selfServiceId)
  return {
    steps,
    ...(self ? { self } : {}),
    added,
    services: stale.filter((t) => t !== ownService),
    ...(ownService ? { ownService } : {}),
  }
}

/** The network mode as the listing shows it (what the consumer was matched on before the split). */
function networkModeOf(selection: Selection, c: ContainerInspect): string {
  const s = selection.summaries.find((x) => x.Id === c.Id)
  return s?.HostConfig?.NetworkMode ?? c.HostConfig.NetworkMode ?? ''
}
