/**
 * vitest globalSetup: brings the bed up once per run and provides it as `inject('testbed')`.
 * WT_TESTBED=off: provides nothing. WT_TESTBED_KEEP=1: leaves the bed up at the end.
 */
import type { TestProject } from 'vitest/node'
import './types.ts'
import { ensureTestbed, releaseTestbed } from './_bed.ts'
import { installPolyfills } from './_polyfills.ts'

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  installPolyfills()
  if (process.env['WT_TESTBED'] === 'off') return undefined
  const started = Date.now()
  const log = (m: string) => process.stderr.write(`[testbed] ${m}\n`)
  const bed = await ensureTestbed({ leasePid: process.pid, log })
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${bed.dir})`)
  project.provide('testbed', bed)
  return async () => {
    const keep = process.env['WT_TESTBED_KEEP'] === '1'
    const outcome = await releaseTestbed({ leasePid: process.pid, keep, log })
    if (outcome === 'stopped') log('stopped')
  }
}
