import type { RunContext } from './_context.ts'
import type { ContainerInspect } from './engine.ts'
import { describeError, UpdaterError } from './errors.ts'
import { hookTimeoutMs, LABELS, labelOf } from './labels.ts'

export type HookName = 'pre-check' | 'post-check' | 'pre-update' | 'post-update'

const LABEL_OF: Record<HookName, string> = {
  'pre-check': LABELS.preCheck,
  'post-check': LABELS.postCheck,
  'pre-update': LABELS.preUpdate,
  'post-update': LABELS.postUpdate,
}

/** EX_TEMPFAIL from pre-update: skip this container for now. */
export const EXIT_SKIP = 75

/**
 * Runs the container's hook label with `sh -c` (its timeout label for pre/post-update, in
 * minutes, default 1, 0 = none; checks have 1 minute). `undefined` when the label is absent.
 * Throws WT_UPDATER_HOOK_FAILED on exec errors and timeouts; a non-zero exit is returned.
 */
export async function runHook(
  ctx: RunContext,
  container: ContainerInspect,
  hook: HookName,
): Promise<{ exitCode: number | null; output: string } | undefined> {
  const labels = container.Config.Labels
  const command = labelOf(labels, LABEL_OF[hook])
  if (command === undefined || command.trim() === '') return undefined
  const timeoutLabel =
    hook === 'pre-update'
      ? LABELS.preUpdateTimeout
      : hook === 'post-update'
        ? LABELS.postUpdateTimeout
        : undefined
  const timeoutMs = timeoutLabel === undefined ? 60_000 : hookTimeoutMs(labelOf(labels, timeoutLabel))
  const name = container.Name.replace(/^\//, '')
  let result: Awaited<ReturnType<RunContext['engine']['exec']>>
  try {
    result = await ctx.engine.exec(container.Id, ['sh', '-c', command], { timeoutMs })
  } catch (cause) {
    throw new UpdaterError(
      'WT_UPDATER_HOOK_FAILED',
      `${hook} hook of ${name} could not run: ${describeError(cause)}`,
      {
        container: name,
        operation: hook,
        cause,
      },
    )
  }
  ctx.emit({ type: 'hook', container: name, hook, exitCode: result.exitCode, output: result.output })
  if (result.timedOut) {
    throw new UpdaterError(
      'WT_UPDATER_HOOK_FAILED',
      `${hook} hook of ${name} timed out after ${timeoutMs} ms`,
      {
        container: name,
        operation: hook,
      },
    )
  }
  return { exitCode: result.exitCode, output: result.output }
}
