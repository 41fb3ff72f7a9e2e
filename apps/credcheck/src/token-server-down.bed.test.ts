/**
 * A real distribution registry, started here, whose auth.token realm points at a dead port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { baseEnv, check, freePort, step, tempDir } from '../test/bed.ts'

const bed = inject('testbed')
const { alice } = bed.users

describe('token server not listening', () => {
  let registry: ChildProcess | undefined
  let host = ''

  beforeAll(async () => {
    const dir = await tempDir('deadrealm')
    const [port, dead] = [await freePort(), await freePort()]
    host = `127.0.0.1:${port}`
    const config = join(dir, 'config.yml')
    await writeFile(
      config,
      [
        'version: 0.1',
        'log: { level: error }',
        `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} } }`,
        `http: { addr: "${host}", tls: { certificate: ${JSON.stringify(bed.tls.serverCert)}, key: ${JSON.stringify(bed.tls.serverKey)} } }`,
        'auth:',
        '  token:',
        `    realm: "https://127.0.0.1:${dead}/token"`,
        '    service: credcheck-dead-realm',
        '    issuer: credcheck-test',
        `    rootcertbundle: ${JSON.stringify(bed.tls.caCert)}`,
        '',
      ].join('\n'),
    )
    registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' })
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy()
          resolve(true)
        })
        s.on('error', () => resolve(false))
      })
      if (up) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`docker-registry did not start on ${host}`)
  })

  afterAll(() => {
    if (registry?.pid) registry.kill('SIGTERM')
  })

  it('a real registry whose auth.token realm points at a dead port (5)', async () => {
    const env = await baseEnv(bed, { REPO_USER: alice.username, REPO_PASS: alice.password })
    const r = await check(bed, [`${host}/alice/app:v1`, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).toBe(5)
    expect(step(r.report, 'ping').details).toMatchObject({
      challenges: [{ scheme: 'bearer', service: 'credcheck-dead-realm' }],
    })
    expect(r.report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TOKEN_SERVER_UNREACHABLE' })
    expect(r.report.failure!.cause).toMatch(/token server 127\.0\.0\.1:\d+.*ECONNREFUSED/)
  })
})
