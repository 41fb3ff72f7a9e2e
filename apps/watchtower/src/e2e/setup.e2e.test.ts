import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { bed, cleanupPrefix, imageOf, publish, run, uniqueName, watchtower } from '../../test/e2e-bed.ts'

const P = uniqueName('wt-app-e2e-setup')
afterAll(() => cleanupPrefix(P))

describe('startup checks and credentials', () => {
  it('no engine: a clear error naming DOCKER_HOST, exit 1', async () => {
    const r = await watchtower(['--run-once', '--host', 'unix:///tmp/wt-no-such-engine.sock'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'Cannot reach the Docker engine at unix:///tmp/wt-no-such-engine.sock (set DOCKER_HOST or --host)',
    )
  })
  it('--registry-ca-validate fails fast on a file without a certificate', async () => {
    const r = await watchtower(['--run-once', '--registry-ca', bed.tls.notPem, '--registry-ca-validate'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`failed to validate the registry CA bundle (--registry-ca ${bed.tls.notPem})`)
  })
  it('--registry-ca-validate accepts the private CA', async () => {
    const r = await watchtower(['--run-once', '--registry-ca-validate', `${P}-none`])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('validated successfully')
  })
  it('REPO_USER / REPO_PASS (no config.json) update from the basic-auth registry, password never printed', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wt-e2e-cfg-'))
    onTestFinished(() => rmSync(empty, { recursive: true, force: true }))
    writeFileSync(join(empty, 'config.json'), '{}')
    const v1 = await publish('basic', `${P}-basic`, 'v1')
    const name = `${P}-basic`
    await run(name, v1.ref)
    const v2 = await publish('basic', `${P}-basic`, 'v2')
    const { alice } = bed.users
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--trace', name], {
      env: {
        PATH: process.env.PATH,
        DOCKER_HOST: bed.docker.host,
        DOCKER_CONFIG: empty,
        REPO_USER: alice.username,
        REPO_PASS: alice.password,
        REPO_REGISTRY: bed.registries.basic.host,
      },
    })
    expect(r.stdout).toBe(`${name} (${v1.ref}): Updated\n`)
    expect(await imageOf(name)).toBe(v2.id)
    expect(r.stderr).not.toContain(alice.password)
    expect(r.stderr).not.toContain(Buffer.from(`${alice.username}:${alice.password}`).toString('base64'))
  })
})
