/**
 * The default probe: walks the same chain watchtower does, with the same packages —
 * `@watchtower-ts/credentials` (DOCKER_CONFIG, REPO_USER/REPO_PASS, helpers), `@watchtower-ts/tls`
 * (system roots + --registry-ca + certs.d, --insecure-registry) and `@watchtower-ts/registry-client`,
 * whose protocol steps (ping, token, manifest, tags) watchtower's client is built from. Each step
 * makes its requests once, without retries, so it can be timed and blamed on its own.
 */
import {
  type CredentialResolver,
  createCredentialResolver,
  type RegistryCredentials,
} from '@watchtower-ts/credentials'
import { type ImageReference, parseReference } from '@watchtower-ts/registry-client'
import { type ProxyConfig, parseProxyUrl, proxyConfigFromEnv } from '@watchtower-ts/tls'
import { credentialsFailure, describeCredentials } from './_credentials.ts'
import { checkLocalImage } from './_local-image.ts'
import type { ProbeState } from './_state.ts'
import { tlsStep } from './_tls-step.ts'
import { CheckFailure } from './failures.ts'
import type { Probe, ProbeOptions, StepOutcome } from './probe.ts'
import { manifestStep, pingStep, rateLimitStep, tokenStep } from './registry-steps.ts'

/** The user-info of the proxy URLs (and its Basic form): never printed, even inside a library's error. */
function proxySecrets(proxy: ProxyConfig): string[] {
  const out: string[] = []
  for (const [variable, value] of [
    ['HTTPS_PROXY', proxy.httpsProxy],
    ['HTTP_PROXY', proxy.httpProxy],
  ] as const) {
    if (!value) continue
    out.push(value)
    try {
      const u = parseProxyUrl(value, variable)
      const user = decodeURIComponent(u.username)
      const pass = decodeURIComponent(u.password)
      if (pass)
        out.push(pass, u.password, `${user}:${pass}`, Buffer.from(`${user}:${pass}`).toString('base64'))
      u.username = ''
      u.password = ''
      if (u.href !== value) out.push(value.replace(/\/+$/, ''))
    } catch {
      // an invalid value is reported by the tls step, without its user-info
    }
  }
  return out
}

export function createHttpProbe(options: ProbeOptions): Probe {
  const resolver: CredentialResolver = createCredentialResolver({ env: options.env, now: options.now })
  const proxy = proxyConfigFromEnv(options.env)
  const state: ProbeState = {
    options: { timeoutMs: 10_000, certsDirs: ['/etc/docker/certs.d'], ...options },
    resolver,
    proxy,
    trustSources: [],
    secrets: proxySecrets(proxy),
  }
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`internal: step order broken (${what} missing)`)
    return value
  }
  return {
    async reference(): Promise<StepOutcome> {
      let ref: ImageReference
      try {
        ref = parseReference(options.image)
      } catch (error) {
        throw new CheckFailure(
          'WT_CREDCHECK_INVALID_REFERENCE',
          error instanceof Error ? error.message : String(error),
          'write the image as [HOST[:PORT]/]PATH[:TAG|@sha256:DIGEST], e.g. 127.0.0.1:5000/team/app:1.2 (lowercase path)',
          { cause: error },
        )
      }
      state.ref = ref
      const what = ref.digest
        ? `digest ${ref.digest}${ref.tag ? ` (tag ${ref.tag} ignored)` : ''}`
        : `tag ${ref.tag}`
      return {
        status: 'ok',
        summary: `registry ${ref.registry}${ref.apiHost !== ref.registry ? ` (API ${ref.apiHost})` : ''}, repository ${ref.repository}, ${what}`,
        details: {
          original: ref.original,
          registry: ref.registry,
          apiHost: ref.apiHost,
          repository: ref.repository,
          tag: ref.tag ?? null,
          digest: ref.digest ?? null,
          canonical: ref.canonical,
        },
      }
    },

    async credentials(): Promise<StepOutcome> {
      const ref = need(state.ref, 'reference')
      let creds: RegistryCredentials
      try {
        creds = await resolver.resolve(ref.registry)
      } catch (error) {
        throw credentialsFailure(error, ref.registry)
      }
      state.credentials = creds
      const secret = creds.secret()
      if (secret) state.secrets.push(secret)
      const basic = creds.basicAuthorization()
      if (basic) state.secrets.push(basic.slice('Basic '.length))
      if (creds.kind !== 'anonymous') state.secrets.push(creds.engineAuth())
      return describeCredentials(creds)
    },

    tls: () => tlsStep(state),
    ping: () => pingStep(state),
    token: () => tokenStep(state),
    manifest: () => manifestStep(state),
    rateLimit: async () => rateLimitStep(state),
    localImage: () => checkLocalImage(state),

    secrets: () => state.secrets,

    async close(): Promise<void> {
      await state.trust?.close()
    },
  }
}
