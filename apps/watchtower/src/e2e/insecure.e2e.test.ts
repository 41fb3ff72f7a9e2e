import { afterAll, describe, expect, it } from 'vitest'
import { cleanupPrefix, imageOf, publish, run, uniqueName, watchtower } from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-tls')
afterAll(() => cleanupPrefix(P))

describe('registry TLS flags', () => {
  it('an expired registry certificate fails the check; --insecure-registry HOST lets it through', async () => {
    const v1 = await publish('expired', `${P}-exp`, 'v1')
    const name = `${P}-exp`
    await run(name, v1.ref)
    const v2 = await publish('expired', `${P}-exp`, 'v2')
    const host = v1.ref.split('/')[0]!
    const strict = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--warn-on-head-failure',
      'always',
      name,
    ])
    expect(strict.stdout).not.toContain(': Updated')
    expect(strict.stderr).toMatch(/Could not do a head request|certificate/i)
    expect(await imageOf(name)).toBe(v1.id)
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--insecure-registry', host, name])
    expect(r.stderr).toContain(`TLS verification disabled for registries: ${host}`)
    expect(r.stdout).toBe(`${name} (${v1.ref}): Updated\n`)
    expect(await imageOf(name)).toBe(v2.id)
  })
})
