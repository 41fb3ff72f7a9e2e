import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { b64, expectNoSecrets, rejection, useTmp, writeConfig } from '../test/fixtures.ts'
import { CredentialsError } from './errors.ts'
import { createCredentialResolver } from './resolver.ts'

const tmp = useTmp()

async function resolverFor(config: unknown) {
  const dir = await tmp()
  await writeConfig(dir, config)
  return { dir, resolver: createCredentialResolver({ env: { DOCKER_CONFIG: dir, PATH: '/nonexistent' } }) }
}

describe('hand-written config.json forms from the reference doc', () => {
  it('`{"auths": {"<REGISTRY_NAME>": {"auth": "..."}}}` for a private registry', async () => {
    const { resolver } = await resolverFor({
      auths: { 'my-private-registry.example.org': { auth: b64('username:password') } },
    })
    const c = await resolver.resolve('my-private-registry.example.org')
    expect([c.kind, c.username, c.secret(), c.registry]).toEqual([
      'basic',
      'username',
      'password',
      'my-private-registry.example.org',
    ])
  })

  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/'])(
    'Docker Hub key `https://index.docker.io/v1/` is found for %s',
    async (asked) => {
      const { resolver } = await resolverFor({
        auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } },
      })
      const c = await resolver.resolve(asked)
      expect([c.registry, c.username, c.source.key]).toEqual([
        'docker.io',
        'hub',
        'https://index.docker.io/v1/',
      ])
    },
  )

  it.each(['index.docker.io', 'docker.io', 'registry-1.docker.io', 'http://index.docker.io/v1/'])(
    'Hub credentials written under %s are recognised (watchtower accepts index.docker.io too)',
    async (key) => {
      const { resolver } = await resolverFor({ auths: { [key]: { auth: b64('hub:pw') } } })
      expect((await resolver.resolve('docker.io')).username).toBe('hub')
    },
  )

  it('prefers the canonical Hub key when several spellings exist', async () => {
    const { resolver } = await resolverFor({
      auths: {
        'index.docker.io': { auth: b64('old:pw') },
        'https://index.docker.io/v1/': { auth: b64('new:pw') },
      },
    })
    expect((await resolver.resolve('docker.io')).username).toBe('new')
  })

  it.each([
    // registry host in config.json → the image reference using it (reference doc examples)
    ['localhost', 'localhost/myimage'],
    ['localhost:5000', 'localhost:5000/myimage'],
    ['127.0.0.1', '127.0.0.1/myimage:mytag'],
    ['host.domain', 'host.domain/myorganization/myimage'],
    ['other-lan-host:80', 'other-lan-host:80/imagename:latest'],
    ['10.0.0.7:5443', '10.0.0.7:5443/team/app'],
    ['https://legacy.example.com/v1/', 'legacy.example.com/app'],
  ])('key %s serves %s', async (key, image) => {
    const { resolver } = await resolverFor({ auths: { [key]: { auth: b64('u:p') } } })
    const c = await resolver.resolve(image.split('/')[0]!)
    expect([c.kind, c.username, c.source.key]).toEqual(['basic', 'u', key])
  })

  it('keeps localhost, 127.0.0.1 and ports apart', async () => {
    const { resolver } = await resolverFor({
      auths: {
        localhost: { auth: b64('a:p') },
        'localhost:5000': { auth: b64('b:p') },
        '127.0.0.1:5000': { auth: b64('c:p') },
      },
    })
    expect((await resolver.resolve('localhost')).username).toBe('a')
    expect((await resolver.resolve('localhost:5000')).username).toBe('b')
    expect((await resolver.resolve('127.0.0.1:5000')).username).toBe('c')
    expect((await resolver.resolve('127.0.0.1')).kind).toBe('anonymous')
  })

  it('GCloud `_json_key` with the service-account JSON as a multi-line password', async () => {
    const key = JSON.stringify(
      {
        type: 'service_account',
        project_id: 'p',
        private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
      },
      null,
      2,
    )
    const { resolver } = await resolverFor({ auths: { 'https://gcr.io': { auth: b64(`_json_key:${key}`) } } })
    const c = await resolver.resolve('gcr.io')
    expect(c.username).toBe('_json_key')
    expect(c.secret()).toBe(key)
    expect(JSON.parse(c.secret()!).type).toBe('service_account')
    expect(c.basicAuthorization()).toBe(`Basic ${b64(`_json_key:${key}`)}`)
  })

  it('`username` / `password` fields', async () => {
    const { resolver } = await resolverFor({
      auths: { 'ghcr.io': { username: 'octo', password: 'ghp_x:y' } },
    })
    const c = await resolver.resolve('ghcr.io')
    expect([c.kind, c.username, c.secret()]).toEqual(['basic', 'octo', 'ghp_x:y'])
  })

  it('`auth` wins over `username`/`password`, as in Docker', async () => {
    const { resolver } = await resolverFor({
      auths: { 'ghcr.io': { auth: b64('fromauth:p1'), username: 'x', password: 'y' } },
    })
    expect((await resolver.resolve('ghcr.io')).username).toBe('fromauth')
  })

  it('`identitytoken` is kept as an identity (refresh) token, with the username from `auth`', async () => {
    const { resolver } = await resolverFor({
      auths: {
        'myregistry.azurecr.io': {
          auth: b64('00000000-0000-0000-0000-000000000000:'),
          identitytoken: 'eyJrefresh',
        },
      },
    })
    const c = await resolver.resolve('myregistry.azurecr.io')
    expect([c.kind, c.username, c.secret()]).toEqual([
      'identity-token',
      '00000000-0000-0000-0000-000000000000',
      'eyJrefresh',
    ])
    expect(c.basicAuthorization()).toBeUndefined()
    expect(JSON.parse(Buffer.from(c.engineAuth(), 'base64url').toString())).toEqual({
      identitytoken: 'eyJrefresh',
      username: '00000000-0000-0000-0000-000000000000',
      serveraddress: 'myregistry.azurecr.io',
    })
  })

  it('`{}` placeholders (left by docker login with a helper) are skipped quietly', async () => {
    const { resolver } = await resolverFor({
      auths: { 'ghcr.io': {}, 'https://ghcr.io/v1/': { auth: b64('real:p') }, 'quay.io': {} },
    })
    expect((await resolver.resolve('ghcr.io')).username).toBe('real')
    expect((await resolver.resolve('quay.io')).kind).toBe('anonymous')
  })

  it('the AWS ECR example config: credsStore + credHelpers + `{}` auths + HttpHeaders', async () => {
    const dir = await tmp()
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'bin')))
    const { writeHelper } = await import('../test/fixtures.ts')
    await writeHelper(
      join(dir, 'bin'),
      'ecr-login',
      `read url; printf '{"ServerURL":"%s","Username":"AWS","Secret":"ecr-token-%s"}' "$url" "$AWS_REGION"`,
    )
    const ecr = '123456789012.dkr.ecr.us-west-1.amazonaws.com'
    await writeConfig(dir, {
      credsStore: 'ecr-login',
      HttpHeaders: { 'User-Agent': 'Docker-Client/19.03.1 (XXXXXX)' },
      auths: { [ecr]: {} },
      credHelpers: { [ecr]: 'ecr-login' },
    })
    const resolver = createCredentialResolver({
      env: {
        DOCKER_CONFIG: dir,
        PATH: `${join(dir, 'bin')}:/usr/bin:/bin`,
        HOME: '/',
        AWS_REGION: 'us-west-1',
      },
    })
    const c = await resolver.resolve(ecr)
    expect([c.username, c.secret(), c.source.kind]).toEqual(['AWS', 'ecr-token-us-west-1', 'cred-helper'])
  })
})

describe('bad auths entries: errors name the registry key and file, never the value', () => {
  it.each([
    [{ auth: '%%%not-base64%%%' }, 'auths["r.example"].auth in FILE is not valid base64'],
    [
      { auth: b64('no-colon-here') },
      'auths["r.example"].auth in FILE does not decode to "username:password" (no ":" found)',
    ],
    [
      { username: 'only-user' },
      'auths["r.example"] in FILE has "username" but no "password" (and no "auth")',
    ],
    [
      { password: 'only-pass-secret' },
      'auths["r.example"] in FILE has "password" but no "username" (and no "auth")',
    ],
  ])('%j', async (entry, message) => {
    const { resolver, dir } = await resolverFor({ auths: { 'r.example': entry } })
    const error = await rejection(resolver.resolve('r.example'))
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error.code).toBe('WT_CREDENTIALS_AUTH_INVALID')
    expect(error.message).toBe(message.replace('FILE', join(dir, 'config.json')))
    expectNoSecrets(error, ['%%%not-base64%%%', b64('no-colon-here'), 'no-colon-here', 'only-pass-secret'])
  })

  it('a broken entry for another registry does not affect this one', async () => {
    const { resolver } = await resolverFor({
      auths: { 'bad.example': { auth: '%%%' }, 'good.example': { auth: b64('g:p') } },
    })
    expect((await resolver.resolve('good.example')).username).toBe('g')
  })

  it('malformed config.json: the resolver error names the file and position, never a bare SyntaxError', async () => {
    const dir = await tmp()
    await writeConfig(dir, '{"auths": {"r.example": {"auth": "c2VjcmV0OnNlY3JldA=="},}}')
    const error = await rejection(
      createCredentialResolver({ env: { DOCKER_CONFIG: dir } }).resolve('r.example'),
    )
    expect(error).not.toBeInstanceOf(SyntaxError)
    expect(error.code).toBe('WT_CREDENTIALS_CONFIG_INVALID_JSON')
    expect(error.message).toBe(
      `${dir}/config.json is not valid JSON: expected a double-quoted property name at line 1 column 58 (position 57)`,
    )
    expectNoSecrets(error, ['c2VjcmV0OnNlY3JldA==', 'secret'])
  })
})
