import { describe, expect, it } from 'vitest'
import type { ContainerInspect } from './engine.ts'
import {
  exclusionReason,
  flagOrLabel,
  imageNameOf,
  isDisabledName,
  listStatuses,
  matchesNames,
} from './filters.ts'
import { hookTimeoutMs, LABELS, parseBool } from './labels.ts'

function container(name: string, labels: Record<string, string> = {}, image = 'app:1'): ContainerInspect {
  return {
    Id: 'a'.repeat(64),
    Name: `/${name}`,
    Created: '',
    Image: 'sha256:x',
    State: { Status: 'running', Running: true },
    Config: { Image: image, Labels: labels },
    HostConfig: {},
    NetworkSettings: {},
  }
}

describe('selection (containrrr/watchtower semantics)', () => {
  it('matches names exactly, with or without the slash, or by a regex covering the whole name', () => {
    expect(matchesNames('/web', undefined)).toBe(true)
    expect(matchesNames('/web', ['web'])).toBe(true)
    expect(matchesNames('/web', ['/web'])).toBe(true)
    expect(matchesNames('/web-1', ['web-[0-9]'])).toBe(true)
    expect(matchesNames('/web-12', ['web-[0-9]'])).toBe(false)
    expect(matchesNames('/myweb', ['web'])).toBe(false)
    expect(matchesNames('/web', ['(unclosed'])).toBe(false)
  })

  it('disables by exact name only', () => {
    expect(isDisabledName('/web', ['web'])).toBe(true)
    expect(isDisabledName('/web', ['/web'])).toBe(true)
    expect(isDisabledName('/web', ['we.*'])).toBe(false)
  })

  it('applies label-enable, enable=false, scope (incl. none) and disabled names', () => {
    const on = { [LABELS.enable]: 'true' }
    expect(exclusionReason(container('a'), {})).toBeUndefined()
    expect(exclusionReason(container('a', { [LABELS.enable]: 'false' }), {})).toBe('disabled by label')
    expect(exclusionReason(container('a'), { labelEnable: true })).toMatch(/no enable label/)
    expect(exclusionReason(container('a', { [LABELS.enable]: 'yes' }), { labelEnable: true })).toMatch(
      /no enable/,
    )
    expect(exclusionReason(container('a', on), { labelEnable: true })).toBeUndefined()
    expect(exclusionReason(container('a', on), { labelEnable: true, disabledNames: ['a'] })).toBe(
      'disabled by name',
    )
    expect(exclusionReason(container('a', { [LABELS.scope]: 's1' }), { scope: 's1' })).toBeUndefined()
    expect(exclusionReason(container('a', { [LABELS.scope]: 's2' }), { scope: 's1' })).toMatch(/scope/)
    expect(exclusionReason(container('a'), { scope: 's1' })).toMatch(/scope/)
    const unscoped: Record<string, string>[] = [{}, { [LABELS.scope]: '' }, { [LABELS.scope]: 'none' }]
    for (const labels of unscoped) {
      expect(exclusionReason(container('a', labels), { scope: 'none' })).toBeUndefined()
    }
    expect(exclusionReason(container('a', { [LABELS.scope]: 's1' }), { scope: 'none' })).toMatch(/scope/)
  })

  it('lists running, plus created/exited and restarting on request; never paused', () => {
    expect(listStatuses({})).toEqual(['running'])
    expect(listStatuses({ includeStopped: true, includeRestarting: true })).toEqual([
      'running',
      'created',
      'exited',
      'restarting',
    ])
  })

  it('combines monitor-only / no-pull flag and label: OR, or label first with label-take-precedence', () => {
    const key = LABELS.monitorOnly
    const t = { [key]: 'true' }
    const f = { [key]: 'false' }
    expect(flagOrLabel(false, {}, key, false)).toBe(false)
    expect(flagOrLabel(true, {}, key, false)).toBe(true)
    expect(flagOrLabel(false, t, key, false)).toBe(true)
    expect(flagOrLabel(true, f, key, false)).toBe(true)
    expect(flagOrLabel(true, f, key, true)).toBe(false)
    expect(flagOrLabel(false, t, key, true)).toBe(true)
    expect(flagOrLabel(true, { [key]: 'maybe' }, key, true)).toBe(true)
  })

  it('uses the zodiac original-image label for the image name', () => {
    expect(imageNameOf(container('a'))).toBe('app:1')
    expect(imageNameOf(container('a', { [LABELS.zodiacOriginalImage]: 'reg/app:2' }))).toBe('reg/app:2')
  })

  it('parses bools and hook timeouts like upstream', () => {
    expect(['1', 't', 'TRUE', 'True'].map(parseBool)).toEqual([true, true, true, true])
    expect(['0', 'f', 'false'].map(parseBool)).toEqual([false, false, false])
    expect(parseBool('yes')).toBeUndefined()
    expect(hookTimeoutMs(undefined)).toBe(60_000)
    expect(hookTimeoutMs('0')).toBe(0)
    expect(hookTimeoutMs('3')).toBe(180_000)
    expect(hookTimeoutMs('x')).toBe(60_000)
  })
})

describe('option validation', () => {
  it('names the option that cannot work, before touching the engine', async () => {
    const { runUpdate } = await import('./run-update.ts')
    const engine = new Proxy({}, { get: () => () => Promise.reject(new Error('engine must not be called')) })
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ stopTimeoutMs: -1 }, /option stopTimeoutMs must be a number >= 0 \(got -1\)/],
      [{ healthTimeoutMs: Number.NaN }, /option healthTimeoutMs/],
      [{ concurrency: 0 }, /option concurrency must be an integer >= 1/],
      [{ rollingRestart: true, monitorOnly: true }, /rollingRestart and monitorOnly cannot be combined/],
      [{ selfUpdate: { helperCommand: [] } }, /selfUpdate.helperCommand/],
    ]
    for (const [options, message] of bad) {
      await expect(runUpdate({ engine, ...options } as never)).rejects.toMatchObject({
        code: 'WT_UPDATER_INVALID_OPTION',
        message: expect.stringMatching(message),
      })
    }
  })
})
