import { describe, expect, it } from 'vitest'
import { capture } from '../../test/cli-deps.ts'
import { fakeFleetEngine, watchtowerContainer } from '../../test/fleet-fakes.ts'
import { createLogger } from '../log.ts'
import { findHomeEngine } from './home-engine.ts'

// The engine of watchtower's own container in a fleet: the one that has its id, not the first one.

const SELF = 'f'.repeat(64)
const debugLog = () => {
  const out = capture()
  return { out, log: createLogger({ level: 'debug', format: 'logfmt', noColor: true, stream: out }) }
}

describe('the home engine of a fleet', () => {
  it('is the engine that has the own container, each asked in parallel; the debug log names it', async () => {
    const a = fakeFleetEngine('unix:///var/run/docker.sock', [])
    const b = fakeFleetEngine('tcp://10.0.0.2:2376', [watchtowerContainer(SELF, 'watchtower')])
    const c = fakeFleetEngine('tcp://10.0.0.3:2376', [])
    const { out, log } = debugLog()
    expect(await findHomeEngine([a, b, c], SELF, log)).toBe(b)
    for (const e of [a, b, c]) expect(e.calls).toEqual([`inspectContainer "${SELF}"`])
    expect(out.text).toContain(`msg="Own container ffffffffffff is on engine tcp://10.0.0.2:2376"`)
  })

  it('is the first engine when none has it (an unreachable one counts as not having it) or there is no own id', async () => {
    const a = fakeFleetEngine('unix:///var/run/docker.sock', [])
    const b = fakeFleetEngine('tcp://10.0.0.2:2376', [watchtowerContainer(SELF, 'watchtower')], {
      down: true,
    })
    const { out, log } = debugLog()
    expect(await findHomeEngine([a, b], SELF, log)).toBe(a)
    expect(out.text).toContain('is on none of the engines: self-update and other instances use the first')
    const c = fakeFleetEngine('tcp://10.0.0.3:2376', [])
    expect(await findHomeEngine([c, a], undefined, log)).toBe(c)
    expect(c.calls).toEqual([])
  })
})
