// The flag table is typed: a flag is read by a name the compiler knows, with the
// type of its kind. The `@ts-expect-error` lines are checked by `pnpm typecheck`
// (an expected error that does not happen fails it), the rest by vitest.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { FLAGS, type FlagName, type FlagSources, type FlagValues } from './_flags.ts'
import { layerValues } from './_layer.ts'

describe('flag names', () => {
  it('FlagName is the union of the names in the table', () => {
    const names: FlagName[] = FLAGS.map((f) => f.name)
    expect(new Set(names).size).toBe(FLAGS.length)
    expectTypeOf<'interval' | 'stop-timeout' | 'notification-url'>().toExtend<FlagName>()
    expectTypeOf<'intervall'>().not.toExtend<FlagName>()
    expectTypeOf<string>().not.toExtend<FlagName>()
    expectTypeOf<keyof FlagValues>().toEqualTypeOf<FlagName>()
    expectTypeOf<keyof FlagSources>().toEqualTypeOf<FlagName>()
  })

  it('each value has the type of its kind', () => {
    const { values } = layerValues(['--interval', '30', '-c'], {})
    expectTypeOf(values.interval).toEqualTypeOf<number>()
    expectTypeOf(values['stop-timeout']).toEqualTypeOf<number>()
    expectTypeOf(values.cleanup).toEqualTypeOf<boolean>()
    expectTypeOf(values.scope).toEqualTypeOf<string>()
    expectTypeOf(values['disable-containers']).toEqualTypeOf<string[]>()
    expectTypeOf(values['notification-url']).toEqualTypeOf<string[]>()
    expect([values.interval, values.cleanup, values['stop-timeout']]).toEqual([30, true, 10_000])
  })

  it('a misspelt flag name does not compile', () => {
    const { values, sources } = layerValues([], {})
    // @ts-expect-error: there is no flag "intervall"
    expect(values.intervall).toBeUndefined()
    // @ts-expect-error: there is no flag "stop-timout"
    expect(sources['stop-timout']).toBeUndefined()
    // @ts-expect-error: "notification-urls" is not a flag name
    const name: FlagName = 'notification-urls'
    expect(FLAGS.some((f) => f.name === name)).toBe(false)
  })
})
