import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { ensureTestbed } from './_bed.ts'
import { addLease, liveLeases, readState } from './_state.ts'
import { withLock } from './_util.ts'

const bed = inject('testbed')
const scratch = await mkdtemp(join(tmpdir(), 'wt-testbed-unit-'))
afterAll(() => rm(scratch, { recursive: true, force: true }))

/** A pid that is certainly dead: far above pid_max on these machines. */
const DEAD_PID = 2 ** 22 + 17

describe('bring-up', () => {
  it('is idempotent: concurrent second bring-ups reuse every part (same ports, same processes)', async () => {
    const before = await readState(bed.dir)
    const [a, b] = await Promise.all([ensureTestbed({ dir: bed.dir }), ensureTestbed({ dir: bed.dir })])
    expect(a).toEqual(bed)
    expect(b).toEqual(bed)
    const after = await readState(bed.dir)
    expect(after.pids).toEqual(before.pids)
  })

  it('takes over a lock left by a dead process', async () => {
    const lock = join(scratch, 'bed.lock')
    await mkdir(lock, { recursive: true })
    await writeFile(join(lock, 'owner'), String(DEAD_PID))
    expect(await withLock(scratch, 'bed', async () => 'got it', 5_000)).toBe('got it')
    expect(await readdir(scratch)).not.toContain('bed.lock')
  })

  it('serialises holders of the same lock', async () => {
    const order: string[] = []
    const hold = (name: string) =>
      withLock(scratch, 'serial', async () => {
        order.push(`${name}:in`)
        await new Promise((r) => setTimeout(r, 50))
        order.push(`${name}:out`)
      })
    await Promise.all([hold('a'), hold('b')])
    expect(order.join(' ')).toMatch(/^(a:in a:out b:in b:out|b:in b:out a:in a:out)$/)
  })

  it('forgets leases of dead runs', async () => {
    await addLease(scratch, DEAD_PID)
    await addLease(scratch, process.pid)
    expect(await liveLeases(scratch)).toEqual([process.pid])
    expect(await readdir(join(scratch, 'leases'))).toEqual([String(process.pid)])
  })
})
