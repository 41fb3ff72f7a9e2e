import type { PullMessage } from './engine.ts'

export interface PullTotals {
  /** Bytes of the layers downloaded so far (a finished layer counts whole). */
  currentBytes: number
  /** Bytes of every layer whose size the engine has told (layers it already had are left out). */
  totalBytes: number
}

export interface PullProgressOptions {
  now: () => number
  /** Least time between two reports, ms; the first comes no sooner than this after the pull began. */
  intervalMs: number
  report: (totals: PullTotals & { durationMs: number }) => void
}

/** Layer states after which the layer's bytes are all on the engine. */
const DOWNLOADED = new Set(['Download complete', 'Verifying Checksum', 'Extracting', 'Pull complete'])

/**
 * Folds the engine's per-layer pull messages (dozens a second for a large image) into byte
 * totals and reports them at most once per `intervalMs`, so a long pull shows it is moving
 * without one line per layer event. A pull shorter than `intervalMs` reports nothing.
 */
export function createPullProgress(options: PullProgressOptions) {
  const started = options.now()
  let last = started
  const layers = new Map<string, { current: number; total: number }>()

  const totals = (): PullTotals => {
    let currentBytes = 0
    let totalBytes = 0
    for (const l of layers.values()) {
      currentBytes += Math.min(l.current, l.total)
      totalBytes += l.total
    }
    return { currentBytes, totalBytes }
  }

  return {
    /** Feed one engine message. */
    message(m: PullMessage): void {
      const id = m.id
      if (id !== undefined && m.status !== undefined) {
        const layer = layers.get(id)
        const total = m.progressDetail?.total
        if (m.status === 'Downloading' && typeof total === 'number' && total > 0) {
          const current = m.progressDetail?.current ?? 0
          layers.set(id, { current: Math.max(current, layer?.current ?? 0), total })
        } else if (layer && DOWNLOADED.has(m.status)) {
          layer.current = layer.total
        }
      }
      const now = options.now()
      if (now - last < options.intervalMs) return
      const t = totals()
      if (t.totalBytes === 0) return
      last = now
      options.report({ ...t, durationMs: now - started })
    },
    /** Totals so far (for the `end` event). */
    totals,
  }
}
