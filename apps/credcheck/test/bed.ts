/** Helpers for the tests that run credcheck against the real test bed. */
import { readFileSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { basicAuth, tempDir as sharedTempDir } from '@watchtower-ts/test-utils'
import { pushImage, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { expect } from 'vitest'
import type { CheckReport } from '../src/steps.ts'
import { runCli } from './run-cli.ts'

export { basicAuth, freePort } from '@watchtower-ts/test-utils'

/** A temp folder, removed when the test file that asked for it is done. */
export const tempDir = (prefix: string): Promise<string> => sharedTempDir(`credcheck-${prefix}`)

/** A DOCKER_CONFIG folder holding `config` (an object, or raw text for malformed files). */
export async function dockerConfig(config: unknown): Promise<string> {
  const dir = await tempDir('config')
  await writeFile(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config))
  return dir
}

/** A folder on PATH with an executable `docker-credential-<name>` shell script. */
export async function helperBin(name: string, script: string): Promise<string> {
  const dir = await tempDir('bin')
  const file = join(dir, `docker-credential-${name}`)
  await writeFile(file, `#!/bin/sh\n${script}\n`)
  await chmod(file, 0o755)
  return dir
}

/** An env without the developer's own credentials: HOME is empty, DOCKER_HOST is the bed's engine. */
export async function baseEnv(bed: Testbed, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const home = await tempDir('home')
  await mkdir(join(home, '.docker'), { recursive: true })
  return { PATH: process.env['PATH'], HOME: home, DOCKER_HOST: bed.docker.host, ...extra }
}

/** Every secret the bed knows of, in every spelling that could leak. */
export function bedSecrets(bed: Testbed): string[] {
  const out: string[] = []
  for (const u of [bed.users.alice, bed.users.bob]) {
    out.push(u.password, basicAuth(u.username, u.password), JSON.stringify(u.password).slice(1, -1))
  }
  return out
}

export function expectNoSecrets(bed: Testbed, text: string, extra: string[] = []): void {
  for (const s of [...bedSecrets(bed), ...extra]) expect(text).not.toContain(s)
  // no JWT (header.payload) of any kind, so no token value
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ?[A-Za-z0-9_-]*/)
  // no X-Registry-Auth value (base64url JSON starting {"username": / {"identitytoken":)
  expect(text).not.toMatch(/eyJ(?:1c2VybmFtZSI|pZGVudGl0eXRva2VuIj)/)
  expect(text).not.toMatch(/Bearer [A-Za-z0-9._-]{20,}/)
  expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/)
}

export interface Checked {
  code: number
  text: string
  report: CheckReport
}

/**
 * Runs credcheck twice (text + --verbose, then --json) with the same inputs; checks that both
 * agree on the exit code and that neither output (nor stderr) holds a secret.
 */
export async function check(
  bed: Testbed,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { certsDirs?: string[]; extraSecrets?: string[] } = {},
): Promise<Checked> {
  const deps = { env, certsDirs: options.certsDirs ?? [await tempDir('certsd')] }
  const text = await runCli([...args, '--verbose'], deps)
  const json = await runCli([...args, '--json'], deps)
  for (const out of [text.stdout, text.stderr, json.stdout, json.stderr])
    expectNoSecrets(bed, out, options.extraSecrets)
  expect(text.stderr).toBe('')
  expect(json.stderr).toBe('')
  const report = JSON.parse(json.stdout) as CheckReport
  expect(report.exitCode).toBe(json.code)
  expect(text.code, text.stdout).toBe(json.code)
  return { code: text.code, text: text.stdout, report }
}

export function step(report: CheckReport, id: CheckReport['steps'][number]['id']) {
  const s = report.steps.find((x) => x.id === id)
  if (!s) throw new Error(`no step ${id}`)
  return s
}

/** A DOCKER_CONFIG with alice's credentials (auths) for the basic and token registries. */
export function aliceConfig(bed: Testbed): Promise<string> {
  const { alice } = bed.users
  return dockerConfig({
    auths: {
      [bed.registries.token.host]: { auth: basicAuth(alice.username, alice.password) },
      [bed.registries.basic.host]: { auth: basicAuth(alice.username, alice.password) },
    },
  })
}

export interface Fixture {
  ref: string
  digest: string
  repository: string
}

/** alice's image on the token, basic and open registries (unique repositories; local tags kept). */
export async function pushFixtures(bed: Testbed): Promise<{ token: Fixture; basic: Fixture; open: Fixture }> {
  const t = uniqueName('alice/cc-token')
  const b = uniqueName('alice/cc-basic')
  const o = uniqueName('cc-open')
  const [pt, pb, po] = await Promise.all([
    pushImage(bed, { registry: 'token', variant: 'v1', repository: t, tag: 'v1' }),
    pushImage(bed, { registry: 'basic', variant: 'v1', repository: b, tag: 'v1' }),
    pushImage(bed, { registry: 'open', variant: 'v2', repository: o, tag: 'v2' }),
  ])
  return { token: { ...pt, repository: t }, basic: { ...pb, repository: b }, open: { ...po, repository: o } }
}

/** A refresh token from the bed's token server (OAuth2 password grant with access_type=offline) for alice. */
export function refreshTokenFor(bed: Testbed, repository: string): Promise<string> {
  const alice = bed.users.alice
  const form = new URLSearchParams({
    grant_type: 'password',
    username: alice.username,
    password: alice.password,
    service: bed.tokenServer.service,
    client_id: 'credcheck-test',
    access_type: 'offline',
    scope: `repository:${repository}:pull`,
  }).toString()
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      bed.tokenServer.realm,
      {
        method: 'POST',
        ca: readFileSync(bed.tls.caCert),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => {
          const token = (JSON.parse(body) as { refresh_token?: string }).refresh_token
          if (res.statusCode === 200 && token) resolve(token)
          else reject(new Error(`password grant: ${res.statusCode}`))
        })
      },
    )
    req.on('error', reject)
    req.end(form)
  })
}
