import { describe, expect, it } from 'vitest'
import { createPullProgress, type PullTotals } from './_pull-progress.ts'
import type { PullMessage } from './engine.ts'

// Pull progress folds per-layer engine messages into totals, at most one report per interval.
function setup(intervalMs = 5000) {
  let t = 1_000_000
  const reports: (PullTotals & { durationMs: number })[] = []
  const progress = createPullProgress({ now: () => t, intervalMs, report: (r) => reports.push(r) })
  return {
    reports,
    progress,
    at(ms: number, m: PullMessage) {
      t = 1_000_000 + ms
      progress.message(m)
    },
  }
}

const downloading = (id: string, current: number, total: number): PullMessage => ({
  status: 'Downloading',
  id,
  progressDetail: { current, total },
})

describe('pull progress', () => {
  it('reports nothing for a pull shorter than the interval, however many layer events it has', () => {
    const s = setup()
    for (let ms = 0; ms < 4999; ms += 10) s.at(ms, downloading('a', ms * 100, 1_000_000))
    expect(s.reports).toEqual([])
  })

  it('reports at most once per interval, with bytes done / total over every layer', () => {
    const s = setup()
    s.at(0, { status: 'Pulling fs layer', id: 'a' })
    s.at(0, { status: 'Pulling fs layer', id: 'b' })
    s.at(0, { status: 'Already exists', id: 'c' })
    s.at(100, downloading('a', 100, 1000))
    s.at(4000, downloading('b', 500, 3000))
    s.at(5000, downloading('a', 400, 1000)) // 5 s after the start: first report
    s.at(5001, downloading('a', 500, 1000))
    s.at(9999, downloading('b', 2000, 3000)) // still within the interval: folded in, not reported
    s.at(10_000, { status: 'Download complete', id: 'a' }) // a counts whole
    s.at(12_000, { status: 'Extracting', id: 'b', progressDetail: { current: 10, total: 3000 } })
    s.at(15_500, { status: 'Pull complete', id: 'b' })
    expect(s.reports).toEqual([
      { currentBytes: 900, totalBytes: 4000, durationMs: 5000 },
      { currentBytes: 3000, totalBytes: 4000, durationMs: 10_000 },
      { currentBytes: 4000, totalBytes: 4000, durationMs: 15_500 },
    ])
    expect(s.progress.totals()).toEqual({ currentBytes: 4000, totalBytes: 4000 })
  })

  it('says nothing while no layer size is known (all layers present, or only status lines)', () => {
    const s = setup(1000)
    s.at(2000, { status: 'Pulling from team/app', id: 'latest' })
    s.at(3000, { status: 'Already exists', id: 'a' })
    s.at(4000, { status: 'Digest: sha256:abc' })
    expect(s.reports).toEqual([])
    expect(s.progress.totals()).toEqual({ currentBytes: 0, totalBytes: 0 })
  })

  it('a layer never goes backwards, nor above its size', () => {
    const s = setup(0)
    s.at(1, downloading('a', 800, 1000))
    s.at(2, downloading('a', 300, 1000))
    s.at(3, downloading('a', 5000, 1000))
    expect(s.reports.map((r) => r.currentBytes)).toEqual([800, 800, 1000])
  })
})
