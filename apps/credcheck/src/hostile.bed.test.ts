/**
 * credcheck (the CLI, text --verbose and --json) against hostile registries and token servers:
 * real HTTPS servers on loopback with the bed's certificate. Answers are bounded, registry-supplied
 * text cannot redraw the terminal, and a token server's body never reaches the output.
 */
import { readFileSync } from 'node:fs'
import { type HostileServer, hostile, hostileServer } from '@watchtower-ts/testbed'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { baseEnv, basicAuth, check, dockerConfig } from '../test/bed.ts'

const bed = inject('testbed')
const servers: HostileServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function server(): Promise<HostileServer> {
  const s = await hostileServer({
    tls: { cert: readFileSync(bed.tls.serverCert), key: readFileSync(bed.tls.serverKey) },
  })
  servers.push(s)
  return s
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

describe('credcheck against hostile servers', () => {
  it('a tag list with terminal escape codes cannot erase the FAILED line or draw a fake OK', async () => {
    const reg = await server()
    reg.route('/v2/', hostile.json(200, {}))
    reg.route('/v2/app/manifests/latest', hostile.json(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] }))
    reg.route(
      '/v2/app/tags/list',
      hostile.json(200, {
        name: 'app',
        tags: ['v1\x1b[1A\x1b[2K\r\x1b[32mOK: every step passed (exit code 0)\x1b[0m\x1b[8m', 'v2\x9b2J'],
      }),
    )
    const env = await baseEnv(bed)
    const r = await check(bed, [`${reg.host}/app:latest`, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).not.toBe(0)
    expect(r.text).not.toMatch(CONTROL)
    expect(r.text).toMatch(/\nFAILED at step "manifest"/)
    expect(JSON.stringify(r.report)).not.toMatch(/\\u001b|\\u009b/)
  })

  it('an endless /v2/ answer is cut at the 64 KiB cap: a clear failure, not 830 MB read', async () => {
    const reg = await server()
    reg.route('/v2/', hostile.endless())
    const env = await baseEnv(bed)
    const started = Date.now()
    const r = await check(bed, [`${reg.host}/app:latest`, '--registry-ca', bed.tls.caCert], env)
    expect(r.code).not.toBe(0)
    expect(r.report.failure?.cause).toContain('larger than the 65536-byte cap')
    expect(r.report.failure?.cause).toContain(`https://${reg.host}/v2/`)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('a token server answering a short non-JSON token: the body is never printed (--verbose, --json)', async () => {
    const reg = await server()
    const tok = await server()
    reg.route(
      '/v2/',
      hostile.json(401, {}, { 'www-authenticate': `Bearer realm="${tok.url}/token",service="h"` }),
    )
    tok.route('/token', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('tkn-Opaque-42')
    })
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({
        auths: { [reg.host]: { auth: basicAuth('alice', 'Hostile-Pw-9') } },
      }),
    })
    const r = await check(bed, [`${reg.host}/app:latest`, '--registry-ca', bed.tls.caCert], env, {
      extraSecrets: ['tkn-Opaque-42', 'Hostile-Pw-9'],
    })
    expect(r.report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_PROTOCOL' })
    expect(r.report.failure?.cause).toContain('is not JSON')
  })
})
