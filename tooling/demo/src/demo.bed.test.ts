import { dockerCli } from '@watchtower-ts/testbed'
import { build } from 'esbuild'
import { describe, expect, inject, it } from 'vitest'
import { runDemo } from './demo.ts'

const bed = inject('testbed')

describe('pnpm demo (against the running bed)', () => {
  it('shows watchtower updating a container from v1 to v2, then removes what it made and leaves the bed up', async () => {
    let text = ''
    const r = await runDemo({
      esbuild: build,
      env: { ...process.env, WT_TESTBED_DIR: bed.dir, WT_TESTBED_KEEP: '' },
      write: (t) => {
        text += t
      },
      color: false,
    })
    expect(r, text).toMatchObject({ ok: true, before: 'v1', after: 'v2' })
    for (const n of [1, 2, 3, 4, 5, 6]) expect(text).toContain(`[${n}/6]`)
    expect(text).toContain(`Updated ${r.container}`)
    expect(text).toContain('label demo=watchtower-ts, network none')
    expect(text).toContain('✔ watchtower updated the container from v1 to v2')
    expect(text).toContain('The test bed stays up (it was up before the demo)')
    expect(text).not.toContain(bed.users.alice.password)
    expect(text).not.toContain('\x1b[')
    // Nothing of the demo is left: no container, no local tag.
    const ps = await dockerCli(bed, ['ps', '-a', '--filter', `name=${r.container}`, '--format', '{{.Names}}'])
    expect(ps.stdout.trim()).toBe('')
    const img = await dockerCli(bed, ['image', 'ls', '--format', '{{.Repository}}', `*/alice/${r.container}`])
    expect(img.stdout.trim()).toBe('')
    const status = await dockerCli(bed, ['info', '--format', '{{.ServerVersion}}'])
    expect(status.code).toBe(0)
  })

  it('--container: builds the image and runs watchtower with docker run, as the reference doc shows', async () => {
    let text = ''
    const r = await runDemo({
      esbuild: build,
      container: true,
      env: { ...process.env, WT_TESTBED_DIR: bed.dir, WT_TESTBED_KEEP: '' },
      write: (t) => {
        text += t
      },
      color: false,
    })
    expect(r, text).toMatchObject({ ok: true, before: 'v1', after: 'v2' })
    expect(text).toContain('$ docker run --rm --network host -v ')
    expect(text).toContain('-e WATCHTOWER_REGISTRY_CA=/certs/ca.pem')
    expect(text).toContain(`watchtower-ts:demo --run-once ${r.container}`)
    expect(text).toContain(`Updated ${r.container}`)
    const ps = await dockerCli(bed, ['ps', '-a', '--filter', `name=${r.container}`, '--format', '{{.Names}}'])
    expect(ps.stdout.trim()).toBe('')
  })
})
