import { createCredentialResolver } from '@watchtower-ts/credentials'
import { createRegistryClient } from '@watchtower-ts/registry-client'
import {
  clearTokenPolicy,
  type PushedImage,
  pushImage,
  type RegistryName,
  registryRequests,
  setTokenPolicy,
  type Testbed,
  tokenLog,
  uniqueName,
} from '@watchtower-ts/testbed'
import { createTrustStore, proxyConfigFromEnv } from '@watchtower-ts/tls'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { baseEnv, basicAuth, dockerConfig, refreshTokenFor } from '../test/bed.ts'
import { createHttpProbe } from './http-probe.ts'
import { type CheckReport, runSteps } from './steps.ts'

const bed = inject('testbed')
const { alice } = bed.users
const CERTS_D = '/etc/docker/certs.d'
const policies: string[] = []
afterAll(async () => {
  for (const prefix of policies.splice(0)) await clearTokenPolicy(bed, prefix)
})

interface Case {
  registry: RegistryName
  /** Repository prefix (alice/ is private on the token registry, public/ anonymous). */
  prefix: string
  config?: (pushed: PushedImage & { repository: string }) => Promise<Record<string, unknown>>
  insecure?: boolean
  /** Answer the refresh_token POST with this status (token server policy for the repository). */
  postStatus?: 404 | 405
}

interface Seen {
  registry: string[]
  token: string[]
}

/** Runs credcheck, then watchtower's client, on `ref`; returns what each sent. */
async function both(bed: Testbed, c: Case, ref: string, pushed: PushedImage & { repository: string }) {
  const id = uniqueName('ua')
  const env = await baseEnv(
    bed,
    c.config ? { DOCKER_CONFIG: await dockerConfig(await c.config(pushed)) } : {},
  )
  const host = bed.registries[c.registry].host
  const insecure = c.insecure ? [host] : []
  const mine = (all: Awaited<ReturnType<typeof tokenLog>>) =>
    all.filter((r) => r.scopes.some((s) => s.includes(pushed.repository)))

  const before = mine(await tokenLog(bed)).length
  const report: CheckReport = await runSteps(
    ref,
    createHttpProbe({
      image: ref,
      registryCa: bed.tls.caCert,
      insecureRegistries: insecure,
      env,
      now: Date.now,
      certsDirs: [CERTS_D],
      userAgent: `credcheck-${id}`,
    }),
    Date.now,
  )
  const middle = mine(await tokenLog(bed)).length

  // apps/watchtower/src/wiring.ts: credentials, token cache, trust store (CA file, certs.d, insecure
  // registries, proxy from the environment), then one pass: startCycle(refs), check(ref, RepoDigests).
  const trust = await createTrustStore({
    caFile: bed.tls.caCert,
    insecureRegistries: insecure,
    proxy: proxyConfigFromEnv(env),
  })
  const client = createRegistryClient({
    credentials: createCredentialResolver({ env }),
    tokenCache: createTokenCache(),
    trust,
    userAgent: `watchtower-${id}`,
  })
  let watchtower: string
  try {
    client.startCycle([ref])
    watchtower = (await client.check(ref, [`${host}/${pushed.repository}@${pushed.digest}`])).status
  } catch (error) {
    watchtower = (error as { code?: string }).code ?? String(error)
  } finally {
    await client.close()
    await trust.close()
  }
  const tokens = mine(await tokenLog(bed))
  const token = (records: typeof tokens) =>
    records.map(
      (r) =>
        `${r.method} ${r.grantType ?? '-'} ${r.service ?? '-'} ${r.scopes.join(' ')} ${r.account ?? '-'} → ${r.status}`,
    )
  const log = await registryRequests(bed, c.registry)
  const sent = (ua: string) =>
    log.filter((r) => r.userAgent === ua).map((r) => `${r.method} ${r.path} → ${r.status}`)
  const credcheck: Seen = { registry: sent(`credcheck-${id}`), token: token(tokens.slice(before, middle)) }
  const wt: Seen = { registry: sent(`watchtower-${id}`), token: token(tokens.slice(middle)) }
  return { report, watchtower, credcheck, wt }
}

const aliceAuth = async () => ({
  auths: Object.fromEntries(
    (['basic', 'token', 'mtls', 'expired', 'wronghost'] as const).map((n) => [
      bed.registries[n].host,
      { auth: basicAuth(alice.username, alice.password) },
    ]),
  ),
})

const identityToken = async (pushed: { repository: string }) => ({
  auths: { [bed.registries.token.host]: { identitytoken: await refreshTokenFor(bed, pushed.repository) } },
})

describe('credcheck and watchtower send the same requests to the same registry', () => {
  it.each<[string, Case, { token: number; fallback?: boolean }]>([
    [
      'open registry (plain HTTP on loopback, anonymous)',
      { registry: 'open', prefix: 'cc-same' },
      { token: 0 },
    ],
    [
      'basic registry (htpasswd, Basic on every request)',
      { registry: 'basic', prefix: 'alice/cc-same', config: aliceAuth },
      { token: 0 },
    ],
    [
      'token registry, user and password (GET with Basic)',
      { registry: 'token', prefix: 'alice/cc-same', config: aliceAuth },
      { token: 1 },
    ],
    [
      'token registry, anonymous pull of public/*',
      { registry: 'token', prefix: 'public/cc-same' },
      { token: 1 },
    ],
    [
      'token registry, identity token (refresh_token POST)',
      { registry: 'token', prefix: 'alice/cc-same-it', config: identityToken },
      { token: 1 },
    ],
    [
      'token registry, identity token, POST answered 404: GET fallback',
      { registry: 'token', prefix: 'alice/cc-same-404', config: identityToken, postStatus: 404 },
      { token: 2, fallback: true },
    ],
    [
      'token registry, identity token, POST answered 405: GET fallback',
      { registry: 'token', prefix: 'alice/cc-same-405', config: identityToken, postStatus: 405 },
      { token: 2, fallback: true },
    ],
    [
      'mTLS registry (client certificate from certs.d)',
      { registry: 'mtls', prefix: 'alice/cc-same', config: aliceAuth },
      { token: 0 },
    ],
    [
      'wrong-host certificate with --insecure-registry',
      { registry: 'wronghost', prefix: 'cc-same', insecure: true },
      { token: 0 },
    ],
    [
      'expired certificate with --insecure-registry',
      { registry: 'expired', prefix: 'cc-same', insecure: true },
      { token: 0 },
    ],
  ])('%s', async (_name, c, expected) => {
    const repository = uniqueName(c.prefix)
    if (c.postStatus) {
      await setTokenPolicy(bed, { repositoryPrefix: repository, postStatus: c.postStatus })
      policies.push(repository)
    }
    const pushed = {
      ...(await pushImage(bed, { registry: c.registry, variant: 'v1', repository, tag: 'v1' })),
      repository,
    }
    const { report, watchtower, credcheck, wt } = await both(bed, c, pushed.ref, pushed)
    expect(report.ok, JSON.stringify(report.failure)).toBe(true)
    expect(watchtower).toBe('fresh')
    expect(credcheck).toEqual(wt)
    // what both sent: one ping, the token request(s), one manifest HEAD
    const open = !['basic', 'token'].includes(bed.registries[c.registry].auth)
    expect(credcheck.registry).toEqual([
      `GET /v2/ → ${open ? 200 : 401}`,
      `HEAD /v2/${repository}/manifests/v1 → 200`,
    ])
    expect(credcheck.token).toHaveLength(expected.token)
    if (expected.fallback) {
      expect(credcheck.token[0]).toMatch(new RegExp(`^POST refresh_token .* → ${c.postStatus}$`))
      expect(credcheck.token[1]).toMatch(new RegExp(`^GET - .* ${alice.username} → 200$`))
      expect(report.steps.find((s) => s.id === 'token')!.details).toMatchObject({
        method: 'GET',
        attempts: [
          { method: 'POST', grant: 'refresh_token', status: c.postStatus },
          { method: 'GET', grant: 'basic', status: 200 },
        ],
      })
    }
  })

  it('a wrong password: both stop at the same refused token request', async () => {
    const repository = uniqueName('alice/cc-same-wrong')
    const pushed = {
      ...(await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'v1' })),
      repository,
    }
    const c: Case = {
      registry: 'token',
      prefix: repository,
      config: async () => ({
        auths: { [bed.registries.token.host]: { auth: basicAuth(alice.username, 'not-the-password') } },
      }),
    }
    const { report, watchtower, credcheck, wt } = await both(bed, c, pushed.ref, pushed)
    expect(report.failure).toMatchObject({ step: 'token', code: 'WT_CREDCHECK_TOKEN_DENIED' })
    expect(watchtower).toBe('WT_REGISTRY_TOKEN_DENIED')
    expect(credcheck).toEqual(wt)
    expect(credcheck.registry).toEqual(['GET /v2/ → 401'])
    expect(credcheck.token).toEqual([
      `GET - ${bed.tokenServer.service} repository:${repository}:pull ${alice.username} → 401`,
    ])
  })
})
