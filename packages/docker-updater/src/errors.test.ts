import { describe, expect, it } from 'vitest'
import { describeError, UpdaterError } from './errors.ts'

describe('describeError', () => {
  it('joins an error and its causes', () => {
    const inner = new Error('connect ECONNREFUSED /var/run/docker.sock')
    const outer = new Error('rollback of web failed', { cause: inner })
    expect(describeError(outer)).toBe('rollback of web failed: connect ECONNREFUSED /var/run/docker.sock')
  })

  it('does not repeat a cause the message already quotes (engine errors quote the socket error)', () => {
    const socket = new Error('read ECONNRESET')
    const engine = new UpdaterError(
      'WT_UPDATER_ENGINE',
      'engine inspectContainer (abc) failed: read ECONNRESET',
      {
        cause: socket,
      },
    )
    expect(describeError(engine)).toBe('engine inspectContainer (abc) failed: read ECONNRESET')
  })

  it('stops after four levels and takes non-errors as text', () => {
    let e: unknown = 'root'
    for (let i = 5; i >= 1; i--) e = new Error(`level ${i}`, { cause: e })
    expect(describeError(e)).toBe('level 1: level 2: level 3: level 4')
    expect(describeError('plain')).toBe('plain')
  })
})
