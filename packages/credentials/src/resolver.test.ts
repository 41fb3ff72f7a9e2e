import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { b64, expectNoSecrets, rejection, useTmp, writeConfig, writeHelper } from '../test/fixtures.ts'
import { CredentialsError } from './errors.ts'
import { createCredentialResolver } from './resolver.ts'

const tmp = useTmp()

/** A folder with config.json and a bin/ of script helpers; env points DOCKER_CONFIG and PATH at them. */
async function setup(config: unknown, extraEnv: Record<string, string> = {}) {
  const dir = await tmp()
  const bin = join(dir, 'bin')
  await writeFile(join(dir, '.keep'), '')
  await import('node:fs/promises').then((fs) => fs.mkdir(bin))
  // `store` answers every server with a credential derived from the server URL it was asked for
  await writeHelper(
    bin,
    'store',
    `read url; echo "$url" >> "${dir}/store.calls"; printf '{"ServerURL":"%s","Username":"store-user","Secret":"store-secret-%s"}' "$url" "$url"`,
  )
  await writeHelper(
    bin,
    'perhost',
    `read url; echo "$url" >> "${dir}/perhost.calls"; printf '{"ServerURL":"%s","Username":"perhost-user","Secret":"perhost-secret"}' "$url"`,
  )
  await writeHelper(bin, 'nothing', `echo "credentials not found in native keychain"; exit 1`)
  if (config !== undefined) await writeConfig(dir, config)
  const env = { PATH: `${bin}:/usr/bin:/bin`, DOCKER_CONFIG: dir, ...extraEnv }
  return { dir, bin, env, resolver: createCredentialResolver({ env, homedir: () => '/nonexistent' }) }
}

const ALL = {
  auths: { '127.0.0.1:5000': { auth: b64('auths-user:auths-pass') } },
  credHelpers: { '127.0.0.1:5000': 'perhost' },
  credsStore: 'store',
}

describe('precedence: env → credHelpers → credsStore → auths → anonymous', () => {
  it('env REPO_USER/REPO_PASS first', async () => {
    const { resolver } = await setup(ALL, { REPO_USER: 'env-user', REPO_PASS: 'env-pass' })
    const c = await resolver.resolve('127.0.0.1:5000')
    expect([c.kind, c.username, c.secret(), c.source.kind]).toEqual(['basic', 'env-user', 'env-pass', 'env'])
    expect(c.source.description).toBe('env REPO_USER')
  })

  it('then credHelpers[host]', async () => {
    const { resolver, dir } = await setup(ALL)
    const c = await resolver.resolve('127.0.0.1:5000')
    expect([c.username, c.secret(), c.source.kind]).toEqual(['perhost-user', 'perhost-secret', 'cred-helper'])
    expect(c.source).toEqual({
      kind: 'cred-helper',
      description: `credHelpers → docker-credential-perhost (config.json ${dir}/config.json, key "127.0.0.1:5000")`,
      file: `${dir}/config.json`,
      key: '127.0.0.1:5000',
      helper: 'docker-credential-perhost',
    })
  })

  it('then credsStore (for hosts without a credHelpers entry)', async () => {
    const { resolver, dir } = await setup(ALL)
    const c = await resolver.resolve('10.1.2.3:8443')
    expect([c.username, c.secret()]).toEqual(['store-user', 'store-secret-10.1.2.3:8443'])
    expect(c.source.description).toBe(`credsStore → docker-credential-store (config.json ${dir}/config.json)`)
  })

  it('then auths', async () => {
    const { resolver, dir } = await setup({ auths: ALL.auths })
    const c = await resolver.resolve('127.0.0.1:5000')
    expect([c.username, c.secret()]).toEqual(['auths-user', 'auths-pass'])
    expect(c.source).toEqual({
      kind: 'auths',
      description: `config.json ${dir}/config.json auths["127.0.0.1:5000"]`,
      file: `${dir}/config.json`,
      key: '127.0.0.1:5000',
    })
  })

  it('a helper that has nothing falls through to the next source', async () => {
    const { resolver } = await setup({
      ...ALL,
      credHelpers: { '127.0.0.1:5000': 'nothing' },
      credsStore: 'nothing',
    })
    expect((await resolver.resolve('127.0.0.1:5000')).username).toBe('auths-user')
  })

  it('anonymous when nothing matches, or there is no config.json', async () => {
    const { resolver, dir } = await setup({ auths: ALL.auths })
    const c = await resolver.resolve('ghcr.io')
    expect([c.kind, c.username, c.secret(), c.source.description]).toEqual([
      'anonymous',
      undefined,
      undefined,
      'anonymous',
    ])
    expect(c.source.file).toBe(`${dir}/config.json`)
    const none = await setup(undefined)
    expect((await none.resolver.resolve('ghcr.io')).kind).toBe('anonymous')
  })
})

describe('env credentials', () => {
  it('REPO_REGISTRY limits them to the listed registries (normalized, comma-separated)', async () => {
    const { resolver } = await setup(ALL, {
      REPO_USER: 'env-user',
      REPO_PASS: 'env-pass',
      REPO_REGISTRY: 'https://index.docker.io/v1/, 10.1.2.3:8443',
    })
    expect((await resolver.resolve('127.0.0.1:5000')).source.kind).toBe('cred-helper')
    expect((await resolver.resolve('registry-1.docker.io')).source.kind).toBe('env')
    expect((await resolver.resolve('10.1.2.3:8443')).username).toBe('env-user')
  })

  it('reads REPO_USER_FILE / REPO_PASS_FILE (trailing newline dropped), again on every resolve', async () => {
    const dir = await tmp()
    await writeFile(join(dir, 'user'), 'file-user\n')
    await writeFile(join(dir, 'pass'), 'file:pass\r\n')
    const env = { REPO_USER_FILE: join(dir, 'user'), REPO_PASS_FILE: join(dir, 'pass'), DOCKER_CONFIG: dir }
    const resolver = createCredentialResolver({ env })
    const c = await resolver.resolve('docker.io')
    expect([c.username, c.secret()]).toEqual(['file-user', 'file:pass'])
    expect(c.source.description).toBe(`env REPO_USER_FILE (${dir}/user) + REPO_PASS_FILE (${dir}/pass)`)
    await writeFile(join(dir, 'pass'), 'rotated')
    expect((await resolver.resolve('docker.io')).secret()).toBe('rotated')
    const mixed = createCredentialResolver({ env: { REPO_USER: 'u', REPO_PASS_FILE: join(dir, 'pass') } })
    expect((await mixed.resolve('docker.io')).source.description).toBe(
      `env REPO_USER + REPO_PASS_FILE (${dir}/pass)`,
    )
  })

  it.each([
    [{ REPO_USER: 'u' }, 'REPO_USER is set but REPO_PASS (or REPO_PASS_FILE) is not: set both or neither'],
    [
      { REPO_PASS: 'topsecret' },
      'REPO_PASS is set but REPO_USER (or REPO_USER_FILE) is not: set both or neither',
    ],
    [
      { REPO_USER: 'u', REPO_PASS: 'topsecret', REPO_PASS_FILE: '/x' },
      'set REPO_PASS or REPO_PASS_FILE, not both',
    ],
    [
      { REPO_USER: 'u', REPO_PASS: 'topsecret', REPO_REGISTRY: 'ghcr.io,not a host' },
      'REPO_REGISTRY: "not a host" is not a registry host',
    ],
    [
      { REPO_USER: 'u', REPO_PASS: 'topsecret', REPO_REGISTRY: 'ghcr.io,deploy:Reg-Pa55word@ghcr.io' },
      'REPO_REGISTRY: "***@ghcr.io" is not a registry host',
    ],
    [
      {
        REPO_USER: 'u',
        REPO_PASS: 'topsecret',
        REPO_REGISTRY: 'https://deploy:Reg-Pa55word@r.example:5000/',
      },
      'REPO_REGISTRY: "https://***@r.example:5000/" is not a registry host',
    ],
  ])('bad env %j: clear error, no secret', async (env, message) => {
    const error = await rejection(createCredentialResolver({ env }).resolve('docker.io'))
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error.code).toBe('WT_CREDENTIALS_ENV_INVALID')
    expect(error.message).toContain(message)
    expectNoSecrets(error, ['topsecret', 'Reg-Pa55word'])
  })

  it('unreadable or empty *_FILE: names the variable, the file and the reason', async () => {
    const dir = await tmp()
    const missing = await rejection(
      createCredentialResolver({ env: { REPO_USER: 'u', REPO_PASS_FILE: join(dir, 'missing') } }).resolve(
        'docker.io',
      ),
    )
    expect(missing.code).toBe('WT_CREDENTIALS_FILE_UNREADABLE')
    expect(missing.message).toMatch(`REPO_PASS_FILE: cannot read ${dir}/missing: ENOENT`)
    await writeFile(join(dir, 'empty'), '\n')
    const empty = await rejection(
      createCredentialResolver({ env: { REPO_USER: 'u', REPO_PASS_FILE: join(dir, 'empty') } }).resolve(
        'docker.io',
      ),
    )
    expect(empty.message).toBe(`REPO_PASS_FILE: ${dir}/empty is empty`)
  })

  it('useEnv: false ignores REPO_USER/REPO_PASS', async () => {
    const dir = await tmp()
    const resolver = createCredentialResolver({
      env: { REPO_USER: 'u', REPO_PASS: 'p', DOCKER_CONFIG: dir },
      useEnv: false,
    })
    expect((await resolver.resolve('docker.io')).kind).toBe('anonymous')
  })
})

describe('config.json location and reload', () => {
  it('uses ~/.docker/config.json when DOCKER_CONFIG is not set', async () => {
    const home = await tmp()
    await import('node:fs/promises').then((fs) => fs.mkdir(join(home, '.docker')))
    await writeConfig(join(home, '.docker'), { auths: { 'ghcr.io': { auth: b64('h:p') } } })
    const resolver = createCredentialResolver({ env: {}, homedir: () => home })
    expect(resolver.configFile).toBe(join(home, '.docker', 'config.json'))
    expect((await resolver.resolve('ghcr.io')).username).toBe('h')
  })

  it('re-reads config.json when it is edited or replaced by a new file', async () => {
    const { resolver, dir } = await setup({ auths: { 'ghcr.io': { auth: b64('one:p') } } })
    expect((await resolver.resolve('ghcr.io')).username).toBe('one')
    await writeConfig(dir, { auths: { 'ghcr.io': { auth: b64('two-two:p') } } })
    expect((await resolver.resolve('ghcr.io')).username).toBe('two-two')
    await writeFile(
      join(dir, 'next.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: b64('three:p') } } }),
    )
    await rename(join(dir, 'next.json'), join(dir, 'config.json'))
    expect((await resolver.resolve('ghcr.io')).username).toBe('three')
  })
})

describe('onWarning', () => {
  it('warns once when REPO_USER/REPO_PASS are not limited by REPO_REGISTRY', async () => {
    const warnings: string[] = []
    const dir = await tmp()
    const env = { REPO_USER: 'u', REPO_PASS: 'topsecret', DOCKER_CONFIG: dir }
    const resolver = createCredentialResolver({ env, onWarning: (m) => warnings.push(m) })
    await resolver.resolve('docker.io')
    await resolver.resolve('ghcr.io')
    expect(warnings).toEqual([
      'REPO_USER/REPO_PASS are sent to every registry (now docker.io): set REPO_REGISTRY to the registries they are for',
    ])
    const scoped: string[] = []
    await createCredentialResolver({
      env: { ...env, REPO_REGISTRY: 'ghcr.io' },
      onWarning: (m) => scoped.push(m),
    }).resolve('ghcr.io')
    expect(scoped).toEqual([])
  })

  it('warns when DOCKER_CONFIG has no config.json (again after it came back and went away)', async () => {
    const warnings: string[] = []
    const dir = await tmp()
    const resolver = createCredentialResolver({
      env: { DOCKER_CONFIG: dir },
      onWarning: (m) => warnings.push(m),
    })
    await resolver.resolve('ghcr.io')
    await resolver.resolve('ghcr.io')
    expect(warnings).toEqual([
      `DOCKER_CONFIG is ${dir} but ${dir}/config.json does not exist: registries without REPO_USER/REPO_PASS are accessed anonymously`,
    ])
    await writeConfig(dir, {})
    await resolver.resolve('ghcr.io')
    const { rm } = await import('node:fs/promises')
    await rm(join(dir, 'config.json'))
    await resolver.resolve('ghcr.io')
    expect(warnings).toHaveLength(2)
  })
})
