/**
 * Swarm services as update targets. The cluster does the rollout: a stale service gets one
 * `ServiceUpdate` with the new `name:tag@digest` (its own UpdateConfig decides parallelism, delay,
 * order, failure action and monitor; ForceUpdate is left as it is; the version index read with
 * the spec is sent back, so a concurrent change fails instead of being overwritten), and the
 * updater waits for the cluster's `UpdateStatus` to settle.
 */
import { type ImageReference, isImageId, tryParseReference } from '@watchtower-ts/image-reference'
import type { RunContext } from './_context.ts'
import type { ContainerInspect, ServiceInspect, ServiceSpec, SwarmEngine, TaskInspect } from './engine.ts'
import { describeError, isUpdaterError, UpdaterError } from './errors.ts'
import { exclusionReason, flagOrLabel, imageExclusionReason, type SelectionOptions } from './filters.ts'
import { LABELS } from './labels.ts'
import type { AuthProvider, ContainerReport, ImageChecker, RolledBackMemory, SwarmRole } from './types.ts'

/** Labels every container of a swarm task carries (`com.docker.swarm.task.id`, `…service.id`, …). */
export const SWARM_LABEL_PREFIX = 'com.docker.swarm.'

/** True for a container that belongs to a swarm task: never recreated as a plain container. */
export function isSwarmTask(labels: Record<string, string> | null | undefined): boolean {
  return Object.keys(labels ?? {}).some((k) => k.startsWith(SWARM_LABEL_PREFIX))
}

export async function swarmRoleOf(engine: Partial<SwarmEngine>): Promise<SwarmRole> {
  if (!engine.swarmInfo) return 'none'
  const info = await engine.swarmInfo()
  if (info.LocalNodeState !== 'active') return 'none'
  return info.ControlAvailable ? 'manager' : 'worker'
}

export type { RolledBackMemory, SwarmRole } from './types.ts'

export interface ServicePassOptions extends SelectionOptions {
  engine: SwarmEngine
  checker: ImageChecker | undefined
  auth: AuthProvider | undefined
  monitorOnly?: boolean
  labelTakePrecedence?: boolean
  timeoutMs: number
  memory: RolledBackMemory
  /** Send the update and report it without waiting (the updater's own service). */
  noWait?: boolean
}

/** One selected service and what the check found. */
export interface ServiceTarget {
  service: ServiceInspect
  /** `name:tag` the check used. */
  tagRef: string
  /** `tagRef` parsed (undefined when the service was skipped before the check). */
  ref?: ImageReference
  pinned: string
  report: ContainerReport
  monitorOnly: boolean
  /** New digest, when stale. */
  remote?: string
}

const SETTLED = new Set(['completed', 'paused', 'rollback_completed', 'rollback_paused'])

function baseReport(s: ServiceInspect, image: string, pinned: string): ContainerReport {
  return {
    id: s.ID,
    name: s.Spec.Name,
    kind: 'service',
    image,
    oldImageId: pinned,
    state: 'fresh',
    warnings: [],
  }
}

/** The services this pass looks at (same selection rules as containers, on the service's labels). */
export function selectServices(
  services: readonly ServiceInspect[],
  options: SelectionOptions,
): ServiceInspect[] {
  return services.filter((s) => {
    const shallow = { Name: `/${s.Spec.Name}`, Config: { Labels: s.Spec.Labels ?? {} } } as ContainerInspect
    if (exclusionReason(shallow, options) !== undefined) return false
    if (options.images === undefined && !options.skipImages?.length) return true
    // with image filters, a service is matched on the `name:tag` it would be checked with
    const img = serviceImage(s.Spec)
    return imageExclusionReason('tagRef' in img ? img.tagRef : undefined, options) === undefined
  })
}

/**
 * Splits a service's image into what the registry check needs: `name:tag` and the digest the
 * manager pinned. A service without a pin (created with `--no-resolve-image`) or pinned by the
 * user without a tag has nothing to compare or nothing to move: skipped with the reason.
 */
export function serviceImage(
  spec: ServiceSpec,
): { tagRef: string; pinned: string; ref: ImageReference } | { skip: string } {
  const image = spec.TaskTemplate.ContainerSpec?.Image
  if (!image) return { skip: 'service has no container image (plugin or other runtime)' }
  if (isImageId(image))
    return { skip: `image is referenced by ID (${image}); there is no tag to update from` }
  const parsed = tryParseReference(image)
  if (parsed === undefined) return { skip: `image ${image} is not a valid image reference` }
  if (parsed.digest === undefined) {
    return {
      skip: `image ${image} is not pinned by digest (service created with --no-resolve-image?): nothing to compare with the registry`,
    }
  }
  if (parsed.tag === undefined)
    return { skip: `image is pinned by digest without a tag (${image}); pinned images are not updated` }
  const at = image.lastIndexOf('@')
  const tagRef = image.slice(0, at)
  const ref = tryParseReference(tagRef)
  if (ref === undefined) return { skip: `image ${image} is not a valid image reference` }
  return { tagRef, pinned: parsed.digest, ref }
}

/** Image references (`name:tag`) the pass will check for these services (for `ImageChecker.prepare`). */
export function serviceRefs(services: readonly ServiceInspect[]): ImageReference[] {
  const out: ImageReference[] = []
  for (const s of services) {
    const img = serviceImage(s.Spec)
    if ('tagRef' in img) out.push(img.ref)
  }
  return out
}

/** Registry check of every selected service: one check per distinct `name:tag` and pinned digest. */
export async function checkServices(
  options: ServicePassOptions,
  services: readonly ServiceInspect[],
): Promise<ServiceTarget[]> {
  const checks = new Map<string, Promise<{ status: 'fresh' | 'stale'; remoteDigest?: string }>>()
  return Promise.all(
    services.map(async (service): Promise<ServiceTarget> => {
      const spec = service.Spec
      const img = serviceImage(spec)
      const monitorOnly = flagOrLabel(
        options.monitorOnly,
        spec.Labels,
        LABELS.monitorOnly,
        options.labelTakePrecedence,
      )
      const image = spec.TaskTemplate.ContainerSpec?.Image ?? ''
      if ('skip' in img) {
        const report = baseReport(service, image, '')
        report.state = 'skipped'
        report.error = img.skip
        return { service, tagRef: image, pinned: '', report, monitorOnly }
      }
      const report = baseReport(service, img.tagRef, img.pinned)
      const target: ServiceTarget = {
        service,
        tagRef: img.tagRef,
        ref: img.ref,
        pinned: img.pinned,
        report,
        monitorOnly,
      }
      const progress = service.UpdateStatus?.State
      try {
        if (!options.checker)
          throw new UpdaterError('WT_UPDATER_INVALID_OPTION', 'no ImageChecker given (needed for services)')
        const checker = options.checker
        const key = `${img.tagRef}|${img.pinned}`
        let p = checks.get(key)
        if (!p) {
          p = checker.check(img.ref, [`${img.ref.name}@${img.pinned}`])
          checks.set(key, p)
        }
        const r = await p
        if (r.status === 'fresh' && !progress?.endsWith('paused')) return target
        if (r.status === 'stale') {
          const remote = r.remoteDigest
          if (remote === undefined) throw new Error('the registry check gave no digest to update to')
          report.state = 'stale'
          report.newImageId = remote
          target.remote = remote
        }
      } catch (cause) {
        report.state = 'skipped'
        report.error = `check of ${img.tagRef} failed: ${describeError(cause)}`
        report.errorCode = 'WT_UPDATER_CHECK_FAILED'
        return target
      }
      if (progress === 'updating' || progress === 'rollback_started') {
        report.state = 'skipped'
        report.error = `an update of this service is in progress in the cluster (${progress}): left alone this pass`
        return target
      }
      // A paused update (the spec may already pin the tag's digest) stays paused until a person acts.
      if (progress === 'paused' || progress === 'rollback_paused') {
        report.state = 'skipped'
        report.error = `the cluster paused the last update of this service (${progress}: ${service.UpdateStatus?.Message ?? 'no message'}); resume or fix it (docker service update) before it is updated again`
        return target
      }
      const why = await rolledBackBefore(options, service, img.tagRef, target.remote!)
      if (why) {
        report.state = 'skipped'
        report.errorCode = 'WT_UPDATER_SERVICE_ROLLED_BACK'
        report.error = `the cluster rolled back the update to ${target.remote} (${why}); not retried until ${img.tagRef} points at another image`
      }
      return target
    }),
  )
}

/**
 * Why the update to `digest` is known to have been rolled back, or `undefined`. The process's own
 * memory first (the daemon), then the cluster's record: a service whose last update was rolled
 * back keeps the failed task (with the image it tried) in its task history, which a `--run-once`
 * reads the same way.
 */
async function rolledBackBefore(
  options: ServicePassOptions,
  service: ServiceInspect,
  tagRef: string,
  digest: string,
): Promise<string | undefined> {
  const remembered = options.memory.get(service.ID)
  if (remembered?.digest === digest) return remembered.message
  if (!service.UpdateStatus?.State?.startsWith('rollback')) return undefined
  const tasks = await options.engine.listTasks(service.ID).catch(() => [] as TaskInspect[])
  const target = `${tagRef}@${digest}`
  // Only tasks of the rolled-back update itself (created after it started): older tasks with the
  // same image are from before, when the tag pointed there and the service ran it fine.
  const since = Date.parse(service.UpdateStatus.StartedAt ?? '')
  const tried = tasks.filter(
    (t) =>
      t.Spec?.ContainerSpec?.Image === target &&
      t.DesiredState !== 'running' &&
      Number.isFinite(since) &&
      Date.parse(t.CreatedAt ?? '') >= since,
  )
  const failed = tried.find((t) => t.Status?.State === 'failed' || t.Status?.State === 'rejected') ?? tried[0]
  if (!failed) return undefined
  const message = `${service.UpdateStatus.Message ?? service.UpdateStatus.State}; task ${failed.ID}: ${failed.Status?.Err || failed.Status?.Message || failed.Status?.State}`
  options.memory.set(service.ID, { digest, message })
  return message
}

/**
 * Sends the update for one stale service and waits for the cluster to settle it. The report ends
 * as `updated`, `rolled-back` (the cluster's failure action rolled it back), or `failed` (paused,
 * timed out, refused by the engine, changed concurrently).
 */
export async function updateService(
  ctx: RunContext,
  options: ServicePassOptions,
  target: ServiceTarget,
): Promise<void> {
  const { service, report } = target
  const engine = options.engine
  const newImage = `${target.tagRef}@${target.remote}`
  const spec: ServiceSpec = structuredClone(service.Spec)
  spec.TaskTemplate.ContainerSpec = { ...spec.TaskTemplate.ContainerSpec, Image: newImage }
  const before = service.UpdateStatus?.StartedAt
  const fail = (code: string, message: string, state: 'failed' | 'rolled-back' = 'failed') => {
    report.state = state
    report.errorCode = code
    report.error = message
  }
  try {
    const auth = target.ref === undefined ? undefined : await options.auth?.engineAuth(target.ref)
    ctx.emit({ type: 'step', container: report.name, step: `service update to ${newImage}` })
    const warnings = await engine.updateService(
      service.ID,
      service.Version.Index,
      spec,
      auth === undefined ? {} : { auth },
    )
    for (const w of warnings) report.warnings.push(`engine: ${w}`)
  } catch (error) {
    const text = describeError(error)
    if (/out of sequence/i.test(text)) {
      fail(
        'WT_UPDATER_SERVICE_CONFLICT',
        `service ${report.name} changed while it was being updated (update out of sequence): not updated; the next pass looks again`,
      )
    } else fail(isUpdaterError(error) ? error.code : 'WT_UPDATER_ENGINE', `service update failed: ${text}`)
    return
  }

  if (options.noWait) {
    report.state = 'updated'
    report.warnings.push(
      'this is the service watchtower-ts runs in: the cluster replaces this task now; the next instance sees how the update ended',
    )
    return
  }

  // Wait for the cluster's own rolling update: a new UpdateStatus (other StartedAt) that settled.
  const deadline = ctx.now() + options.timeoutMs
  let failureMessage: string | undefined
  let last: ServiceInspect | undefined
  for (
    let pause = Math.min(50, ctx.pollIntervalMs);
    ;
    pause = Math.min(pause * 2, Math.max(ctx.pollIntervalMs, 1000))
  ) {
    try {
      last = await engine.inspectService(service.ID)
    } catch (error) {
      fail(
        'WT_UPDATER_ENGINE',
        `service disappeared or could not be read after its update: ${describeError(error)}`,
      )
      return
    }
    const st = last.UpdateStatus
    const fresh = st?.StartedAt !== undefined && st.StartedAt !== before
    if (fresh && st?.Message && st.State?.startsWith('rollback') && !/^rollback completed$/.test(st.Message))
      failureMessage ??= st.Message
    if (fresh && st?.State && SETTLED.has(st.State)) break
    if (ctx.now() >= deadline) {
      fail(
        'WT_UPDATER_SERVICE_TIMEOUT',
        `the cluster did not finish updating service ${report.name} within ${Math.round(options.timeoutMs / 1000)} s (state ${st?.State ?? 'unknown'}${st?.Message ? `: ${st.Message}` : ''}); the update goes on in the cluster`,
      )
      return
    }
    await ctx.sleep(pause)
  }
  const st = last.UpdateStatus!
  switch (st.State) {
    case 'completed':
      if (last.Spec.TaskTemplate.ContainerSpec?.Image !== newImage) {
        fail(
          'WT_UPDATER_SERVICE_CONFLICT',
          `service ${report.name} now runs ${last.Spec.TaskTemplate.ContainerSpec?.Image ?? '?'} instead of ${newImage}: someone else changed it meanwhile`,
        )
        return
      }
      report.state = 'updated'
      return
    case 'rollback_completed': {
      const message = await failureDetail(
        engine,
        service.ID,
        newImage,
        failureMessage ?? st.Message ?? 'rolled back',
      )
      options.memory.set(service.ID, { digest: target.remote!, message })
      fail('WT_UPDATER_SERVICE_ROLLED_BACK', `the cluster rolled the update back: ${message}`, 'rolled-back')
      return
    }
    default: {
      const message = await failureDetail(engine, service.ID, newImage, st.Message ?? st.State ?? 'paused')
      fail('WT_UPDATER_SERVICE_PAUSED', `the cluster paused the update (${st.State}): ${message}`)
    }
  }
}

/** The engine's message, with the failing task's own error when a task with the new image failed. */
async function failureDetail(
  engine: SwarmEngine,
  serviceId: string,
  image: string,
  message: string,
): Promise<string> {
  const tasks = await engine.listTasks(serviceId).catch(() => [] as TaskInspect[])
  const named = /task ([a-z0-9]{25})/.exec(message)?.[1]
  const failed =
    tasks.find((t) => t.ID === named) ??
    tasks.find(
      (t) => t.Spec?.ContainerSpec?.Image === image && (t.Status?.Err || t.Status?.State === 'failed'),
    )
  const err = failed?.Status?.Err || (failed?.Status?.State === 'failed' ? failed.Status.Message : undefined)
  if (!err) return message
  // The engine's message names the task when it was seen in time; otherwise name it here.
  return named ? `${message} (${err})` : `${message}; task ${failed!.ID} failed: ${err}`
}
