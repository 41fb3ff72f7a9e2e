/**
 * credcheck through the bed's REAL forward proxy (tinyproxy with BasicAuth), run as a real process
 * with HTTPS_PROXY / NO_PROXY in its environment: the proxy it used is shown in the tls step (and
 * the token step), in text and --json, and its credentials never appear; tinyproxy's own log
 * proves the tunnels.
 */
import { proxyRequests, pushImage, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { baseEnv, basicAuth, dockerConfig, expectNoSecrets } from '../test/bed.ts'
import { type CliProcess, credcheckProcess } from '../test/cli-process.ts'
import type { CheckReport } from './steps.ts'

const bed = inject('testbed')
const { alice } = bed.users
const proxyHostPort = new URL(bed.proxy.url).host
const NAME = bed.proxy.registry.host.slice(0, bed.proxy.registry.host.lastIndexOf(':'))
const tokenHost = new URL(bed.proxy.tokenRealm).host
/** The token registry under the proxy test name: a host:port only this file uses. */
const tokenByName = `${NAME}:${bed.registries.token.host.split(':')[1]}`

let cli: CliProcess
let repository: string
beforeAll(async () => {
  cli = await credcheckProcess()
  repository = uniqueName('cc/proxy')
  await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'x', user: 'alice' })
})
afterAll(async () => {
  await cli?.close()
})

const proxySecrets = () => [
  bed.proxy.password,
  bed.proxy.urlWithCredentials,
  basicAuth(bed.proxy.username, bed.proxy.password),
  `${bed.proxy.username}:${bed.proxy.password}`,
]

async function credcheck(image: string, extraEnv: Record<string, string>, registryCa = true) {
  const auth = basicAuth(alice.username, alice.password)
  const config = await dockerConfig({
    auths: { [bed.proxy.registry.host]: { auth }, [tokenByName]: { auth } },
  })
  const env = await baseEnv(bed, { DOCKER_CONFIG: config, ...extraEnv })
  const args = registryCa ? [image, '--registry-ca', bed.tls.caCert] : [image]
  const text = await cli.run([...args, '--verbose'], env)
  const json = await cli.run([...args, '--json'], env)
  for (const out of [text.stdout, text.stderr, json.stdout, json.stderr])
    expectNoSecrets(bed, out, proxySecrets())
  const report = JSON.parse(json.stdout) as CheckReport
  expect(text.code, text.stdout + text.stderr).toBe(json.code)
  return { code: text.code, text: text.stdout, report }
}

const step = (r: CheckReport, id: string) => r.steps.find((s) => s.id === id)!

describe('credcheck through an HTTP proxy (real CLI process, real tinyproxy)', () => {
  it('HTTPS_PROXY with credentials: every step passes, the proxy is shown (masked), tinyproxy logged the tunnels', async () => {
    const before = {
      registry: (await proxyRequests(bed, bed.proxy.registry.host)).length,
      token: (await proxyRequests(bed, tokenHost)).length,
    }
    const { code, text, report } = await credcheck(`${bed.proxy.registry.host}/${repository}:x`, {
      HTTPS_PROXY: bed.proxy.urlWithCredentials,
    })
    expect(code, text).toBe(0)
    const via = `via HTTPS_PROXY http://***@${proxyHostPort}`
    const tls = step(report, 'tls')
    expect(tls.summary).toContain(`https ${via}`)
    expect(tls.details['proxy']).toMatchObject({ https: via, via: `http://***@${proxyHostPort}` })
    expect(step(report, 'token').details['proxy']).toBe(via)
    expect(step(report, 'token').summary).toContain(via)
    expect(text).toMatch(
      new RegExp(`tls .*https via HTTPS_PROXY http://\\*\\*\\*@${proxyHostPort.replace(/\./g, '\\.')}`),
    )
    expect(text).toContain(`proxy: ${via}`)
    expect((await proxyRequests(bed, bed.proxy.registry.host)).length).toBeGreaterThan(before.registry)
    expect((await proxyRequests(bed, tokenHost)).length).toBeGreaterThan(before.token)
  })

  it('lower-case https_proxy works the same', async () => {
    const { code, report } = await credcheck(`${bed.proxy.registry.host}/${repository}:x`, {
      https_proxy: bed.proxy.urlWithCredentials,
    })
    expect(code).toBe(0)
    expect(step(report, 'tls').details['proxy']).toMatchObject({
      https: `via HTTPS_PROXY http://***@${proxyHostPort}`,
    })
  })

  it('NO_PROXY=.wt-proxy.test: direct, shown as such, and no tunnel to that host in the proxy log', async () => {
    const before = (await proxyRequests(bed, tokenByName)).length
    const { code, text, report } = await credcheck(`${tokenByName}/${repository}:x`, {
      HTTPS_PROXY: bed.proxy.urlWithCredentials,
      NO_PROXY: `.${bed.proxy.domain}`,
    })
    expect(code, text).toBe(0)
    expect(step(report, 'tls').details['proxy']).toMatchObject({
      https: `direct: NO_PROXY entry ".${bed.proxy.domain}"`,
      via: null,
    })
    expect(text).toContain(`proxy: direct: NO_PROXY entry ".${bed.proxy.domain}"`)
    expect((await proxyRequests(bed, tokenByName)).length).toBe(before)
  })

  it('without --registry-ca: the registry is trusted through certs.d inside the tunnel, the token host (no certs.d) is not', async () => {
    const { code, report } = await credcheck(
      `${bed.proxy.registry.host}/${repository}:x`,
      { HTTPS_PROXY: bed.proxy.urlWithCredentials },
      false,
    )
    const tls = step(report, 'tls')
    expect(tls.status).toBe('ok')
    expect(tls.summary).toContain('certificate verified')
    expect(tls.summary).toContain('trust: system, certs.d')
    expect(code).toBe(4)
    expect(report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TLS_UNKNOWN_CA' })
  })

  it('a wrong proxy password: fails at the tls step with WT_CREDCHECK_PROXY, the 407 and a fix, nothing secret', async () => {
    const wrong = new URL(bed.proxy.urlWithCredentials)
    wrong.password = 'Wr0ng-proxy-pass'
    const { code, text, report } = await credcheck(`${bed.proxy.registry.host}/${repository}:x`, {
      HTTPS_PROXY: wrong.href,
    })
    expect(code).toBe(5)
    expect(report.failure).toMatchObject({ step: 'tls', code: 'WT_CREDCHECK_PROXY' })
    expect(report.failure!.cause).toContain(`the proxy http://***@${proxyHostPort} (HTTPS_PROXY)`)
    expect(report.failure!.cause).toMatch(/ 40[17] /) // tinyproxy answers a wrong BasicAuth with 401
    expect(report.failure!.fix).toContain('fix the user and password in HTTPS_PROXY')
    expect(text).not.toContain('Wr0ng-proxy-pass')
    expect(JSON.stringify(report)).not.toContain('Wr0ng-proxy-pass')
  })
})
