/** One sweep over every result kind and every error code: no secret in any rendering. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { b64, expectNoSecrets, rejection, useTmp, writeConfig, writeHelper } from '../test/fixtures.ts'
import type { CredentialsErrorCode } from './errors.ts'
import { createCredentialResolver } from './resolver.ts'

const tmp = useTmp()
const S = {
  envPass: 'SECRET-env-pass-1',
  authPass: 'SECRET-auth-pass-2',
  fieldPass: 'SECRET-field-pass-3',
  idToken: 'SECRET-identity-token-4',
  helperSecret: 'SECRET-helper-5',
  awsKey: 'SECRET-aws-key-6',
}
const ALL = Object.values(S)
const AUTH_B64 = b64(`user:${S.authPass}`)

async function fixture(config: unknown, env: Record<string, string> = {}, helperBody?: string) {
  const dir = await tmp()
  const bin = join(dir, 'bin')
  await mkdir(bin)
  await writeHelper(
    bin,
    'good',
    `cat >/dev/null; echo '{"ServerURL":"x","Username":"hu","Secret":"${S.helperSecret}"}'`,
  )
  if (helperBody) await writeHelper(bin, 'bad', helperBody)
  await writeConfig(dir, config)
  return createCredentialResolver({
    env: { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin`, AWS_SECRET_ACCESS_KEY: S.awsKey, ...env },
    helperTimeoutMs: 500,
  })
}

const everywhere = {
  auths: {
    'a.example': { auth: AUTH_B64 },
    'f.example': { username: 'u', password: S.fieldPass },
    'i.example': { auth: b64('u:'), identitytoken: S.idToken },
  },
  credHelpers: { 'h.example': 'good' },
}

describe('no secret in any rendering of a result', () => {
  it.each([
    ['env', 'x.example', { REPO_USER: 'u', REPO_PASS: S.envPass }],
    ['auths auth', 'a.example', {}],
    ['auths username/password', 'f.example', {}],
    ['auths identitytoken', 'i.example', {}],
    ['credHelpers', 'h.example', {}],
    ['anonymous', 'z.example', {}],
  ])('%s', async (_name, registry, env) => {
    const c = await (await fixture(everywhere, env)).resolve(registry)
    expectNoSecrets(c, [...ALL, AUTH_B64, c.basicAuthorization() ?? 'n/a', c.engineAuth()])
    expectNoSecrets(c.source, ALL)
  })
})

describe('no secret in any error', () => {
  const cases: [CredentialsErrorCode, unknown, Record<string, string>, string?][] = [
    ['WT_CREDENTIALS_ENV_INVALID', everywhere, { REPO_PASS: S.envPass }],
    [
      'WT_CREDENTIALS_ENV_INVALID',
      everywhere,
      { REPO_USER: 'u', REPO_PASS: S.envPass, REPO_PASS_FILE: '/x' },
    ],
    ['WT_CREDENTIALS_FILE_UNREADABLE', everywhere, { REPO_USER: 'u', REPO_PASS_FILE: '/nonexistent/pw' }],
    [
      'WT_CREDENTIALS_CONFIG_INVALID_JSON',
      `{"auths":{"t.example":{"auth":"${AUTH_B64}" "x": "${S.fieldPass}"}}}`,
      {},
    ],
    ['WT_CREDENTIALS_CONFIG_INVALID', { auths: { 't.example': { auth: AUTH_B64, password: 5 } } }, {}],
    ['WT_CREDENTIALS_AUTH_INVALID', { auths: { 't.example': { auth: `${AUTH_B64}!` } } }, {}],
    ['WT_CREDENTIALS_AUTH_INVALID', { auths: { 't.example': { password: S.fieldPass } } }, {}],
    ['WT_CREDENTIALS_HELPER_NOT_FOUND', { credsStore: 'absent', auths: everywhere.auths }, {}],
    [
      'WT_CREDENTIALS_HELPER_FAILED',
      { credsStore: 'bad' },
      {},
      `cat >/dev/null; echo "{\\"Secret\\":\\"${S.helperSecret}\\"} $AWS_SECRET_ACCESS_KEY"; exit 1`,
    ],
    ['WT_CREDENTIALS_HELPER_TIMEOUT', { credsStore: 'bad' }, {}, `echo "${S.helperSecret}"; sleep 20 & wait`],
    [
      'WT_CREDENTIALS_HELPER_INVALID_OUTPUT',
      { credsStore: 'bad' },
      {},
      `cat >/dev/null; echo "${S.helperSecret}"`,
    ],
  ]
  it.each(cases)('%s (%#)', async (code, config, env, helperBody) => {
    const resolver = await fixture(config, env, helperBody)
    const error = await rejection(resolver.resolve('t.example'))
    expect(error.code).toBe(code)
    expect(error.name).toBe('CredentialsError')
    expectNoSecrets(error, [...ALL, AUTH_B64])
  })

  it('WT_CREDENTIALS_INVALID_REGISTRY', async () => {
    const error = await rejection((await fixture(everywhere)).resolve('https://user:SECRET-url-pw@host/'))
    expect(error.code).toBe('WT_CREDENTIALS_INVALID_REGISTRY')
    expect(error.message).toContain('"https://***@host/"')
    expectNoSecrets(error, ['SECRET-url-pw'])
  })

  it('a *_FILE secret is not echoed when the file is fine', async () => {
    const dir = await tmp()
    await writeFile(join(dir, 'pw'), S.envPass)
    const c = await (await fixture(everywhere, { REPO_USER: 'u', REPO_PASS_FILE: join(dir, 'pw') })).resolve(
      'x.example',
    )
    expect(c.secret()).toBe(S.envPass)
    expectNoSecrets(c, [S.envPass])
  })
})
