import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectNoSecrets, rejection, useTmp, writeConfig, writeHelper } from '../test/fixtures.ts'
import { CredentialsError } from './errors.ts'
import { createCredentialResolver } from './resolver.ts'
import { spawnHelper } from './run-helper.ts'

const tmp = useTmp()

/** config.json with `credsStore: <name>` and a script helper of that name on the injected PATH. */
async function withHelper(
  name: string,
  body: string,
  options: { env?: Record<string, string>; config?: object } = {},
) {
  const dir = await tmp()
  const bin = join(dir, 'bin')
  await mkdir(bin)
  await writeHelper(bin, name, body)
  await writeConfig(dir, options.config ?? { credsStore: name })
  let clock = 1_000_000
  const env = { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin`, ...options.env }
  const resolver = createCredentialResolver({
    env,
    now: () => clock,
    helperTimeoutMs: 2000,
    helperCacheTtlMs: 60_000,
  })
  return {
    dir,
    bin,
    resolver,
    advance: (ms: number) => {
      clock += ms
    },
    calls: async () =>
      (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
  }
}

const LOGGING = (json: string) => `url=$(cat); echo "get:$1:$url" >> "$(dirname "$0")/../calls"; ${json}`

describe('credential helper protocol', () => {
  it('runs `docker-credential-<name> get` with the server URL on stdin (no newline): Hub gets the legacy URL', async () => {
    const h = await withHelper(
      'ok',
      LOGGING(`printf '{"ServerURL":"%s","Username":"u","Secret":"s"}' "$url"`),
    )
    await h.resolver.resolve('registry-1.docker.io')
    await h.resolver.resolve('127.0.0.1:5000')
    expect(await h.calls()).toEqual(['get:get:https://index.docker.io/v1/', 'get:get:127.0.0.1:5000'])
  })

  it('passes the environment through (AWS_*, HOME, PATH)', async () => {
    const h = await withHelper(
      'envy',
      `cat >/dev/null; printf '{"Username":"%s","Secret":"%s"}' "$AWS_PROFILE@$HOME" "$AWS_REGION"`,
      { env: { AWS_PROFILE: 'prod', AWS_REGION: 'eu-west-1', HOME: '/home/wt' } },
    )
    const c = await h.resolver.resolve('ecr.example')
    expect([c.username, c.secret()]).toEqual(['prod@/home/wt', 'eu-west-1'])
  })

  it('"credentials not found in native keychain" means none (anonymous), not an error', async () => {
    const h = await withHelper(
      'nf',
      `cat >/dev/null; echo "credentials not found in native keychain"; exit 1`,
    )
    expect((await h.resolver.resolve('ghcr.io')).kind).toBe('anonymous')
  })

  it('an empty Username and Secret (docker-credential-pass quirk) means none', async () => {
    const h = await withHelper(
      'empty',
      `read url; printf '{"ServerURL":"%s","Username":"","Secret":""}' "$url"`,
    )
    expect((await h.resolver.resolve('ghcr.io')).kind).toBe('anonymous')
  })

  it('Username "<token>" means the Secret is an identity token', async () => {
    const h = await withHelper(
      'tok',
      `cat >/dev/null; echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-123"}'`,
    )
    const c = await h.resolver.resolve('myregistry.azurecr.io')
    expect([c.kind, c.username, c.secret(), c.source.kind]).toEqual([
      'identity-token',
      undefined,
      'refresh-123',
      'creds-store',
    ])
  })

  it('GCloud `_json_key`: a multi-line JSON secret survives', async () => {
    const key = JSON.stringify(
      { type: 'service_account', private_key: '-----BEGIN-----\nA\n-----END-----\n' },
      null,
      2,
    )
    const dir = await tmp()
    await writeFile(
      join(dir, 'answer.json'),
      JSON.stringify({ ServerURL: 'gcr.io', Username: '_json_key', Secret: key }),
    )
    const h = await withHelper('gcr', `cat >/dev/null; cat "${dir}/answer.json"`)
    const c = await h.resolver.resolve('gcr.io')
    expect([c.username, c.secret()]).toEqual(['_json_key', key])
  })

  it('caches answers (and "none") for the TTL; concurrent lookups share one run', async () => {
    const h = await withHelper('count', LOGGING(`echo '{"Username":"u","Secret":"s"}'`))
    await Promise.all([
      h.resolver.resolve('a.example'),
      h.resolver.resolve('a.example'),
      h.resolver.resolve('a.example'),
    ])
    await h.resolver.resolve('a.example')
    expect(await h.calls()).toHaveLength(1)
    h.advance(59_999)
    await h.resolver.resolve('a.example')
    expect(await h.calls()).toHaveLength(1)
    h.advance(2)
    await h.resolver.resolve('a.example')
    expect(await h.calls()).toHaveLength(2)
    await h.resolver.resolve('b.example')
    expect(await h.calls()).toHaveLength(3)
  })

  it('the cache is dropped when config.json changes (e.g. after a new docker login)', async () => {
    const h = await withHelper('count', LOGGING(`echo '{"Username":"u","Secret":"s"}'`))
    await h.resolver.resolve('a.example')
    await writeConfig(h.dir, { credsStore: 'count', auths: { 'a.example': {} } })
    await h.resolver.resolve('a.example')
    expect(await h.calls()).toHaveLength(2)
  })

  it('failures are reused for 5 s only, then the helper runs again', async () => {
    const h = await withHelper('flaky', `${LOGGING('true')}; echo "boom"; exit 2`)
    const first = await rejection(h.resolver.resolve('a.example'))
    expect(await rejection(h.resolver.resolve('a.example'))).toBe(first)
    expect(await h.calls()).toHaveLength(1)
    h.advance(5001)
    await rejection(h.resolver.resolve('a.example'))
    expect(await h.calls()).toHaveLength(2)
  })

  it('asks again under the spelling of an `auths` placeholder when the canonical URL has nothing', async () => {
    const h = await withHelper(
      'legacy',
      `${LOGGING('true')}; if [ "$url" = "https://old.example/v1/" ]; then echo '{"Username":"old","Secret":"s"}'; else echo "credentials not found in native keychain"; exit 1; fi`,
      { config: { credsStore: 'legacy', auths: { 'https://old.example/v1/': {} } } },
    )
    expect((await h.resolver.resolve('old.example')).username).toBe('old')
    expect(await h.calls()).toEqual(['get:get:old.example', 'get:get:https://old.example/v1/'])
  })
})

describe('credential helper errors: name helper, registry and output, secrets redacted', () => {
  it('missing helper binary', async () => {
    const dir = await tmp()
    await writeConfig(dir, { credHelpers: { 'ghcr.io': 'absent' } })
    const resolver = createCredentialResolver({
      env: { DOCKER_CONFIG: dir, PATH: `${dir}/bin:/usr/bin:/bin` },
    })
    const error = await rejection(resolver.resolve('ghcr.io'))
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_NOT_FOUND')
    expect(error.message).toBe(
      `credential helper docker-credential-absent (credHelpers["ghcr.io"] in ${dir}/config.json) for registry ghcr.io: docker-credential-absent was not found on PATH (${dir}/bin:/usr/bin:/bin)`,
    )
    expect(error).toMatchObject({
      helper: 'docker-credential-absent',
      registry: 'ghcr.io',
      file: `${dir}/config.json`,
    })
  })

  it('a helper that fails: exit code and what it printed, secrets redacted', async () => {
    const h = await withHelper(
      'fail',
      `cat >/dev/null; echo "error getting credentials: token $AWS_SECRET_ACCESS_KEY rejected {\\"Secret\\":\\"leaked-secret\\"}"; echo "warning on stderr" >&2; exit 3`,
      { env: { AWS_SECRET_ACCESS_KEY: 'AKIAVERYSECRET' } },
    )
    const error = await rejection(h.resolver.resolve('ecr.example'))
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_FAILED')
    expect(error.message).toBe(
      `credential helper docker-credential-fail (credsStore in ${h.dir}/config.json) for registry ecr.example failed with exit code 3, output: error getting credentials: token *** rejected … (1 word(s) hidden), stderr: warning on stderr`,
    )
    expectNoSecrets(error, ['AKIAVERYSECRET', 'leaked-secret'])
  })

  it('a failing helper that prints its bare secret (stdout or stderr) never has it shown', async () => {
    const h = await withHelper(
      'bare',
      `cat >/dev/null; echo "hunter2-Xq9"; echo "cannot unlock: passphrase s3cr3t-PaSS was refused" >&2; exit 1`,
    )
    const error = await rejection(h.resolver.resolve('bare.example'))
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_FAILED')
    expect(error.message).toContain(
      'output: (11 characters, not shown), stderr: cannot unlock: passphrase … was refused',
    )
    expectNoSecrets(error, ['hunter2-Xq9', 's3cr3t-PaSS'])
  })

  it('a helper that hangs is stopped after the timeout (its children too)', async () => {
    const dir = await tmp()
    await mkdir(join(dir, 'bin'))
    await writeHelper(join(dir, 'bin'), 'hang', `sleep 30 & echo $! > "${dir}/child.pid"; wait`)
    await writeConfig(dir, { credsStore: 'hang' })
    const resolver = createCredentialResolver({
      env: { DOCKER_CONFIG: dir, PATH: `${dir}/bin:/usr/bin:/bin` },
      helperTimeoutMs: 300,
    })
    const error = await rejection(resolver.resolve('slow.example'))
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_TIMEOUT')
    expect(error.message).toBe(
      `credential helper docker-credential-hang (credsStore in ${dir}/config.json) for registry slow.example did not answer within 300 ms and was stopped`,
    )
    // the helper's own child (sleep) was killed with it: its process group got SIGKILL
    const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'))
    let alive = true
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(child, 0)
        await new Promise((r) => setTimeout(r, 50)) // wait for init to reap it
      } catch {
        alive = false
      }
    }
    expect(alive).toBe(false)
  })

  it.each([
    ['not JSON (maybe a bare secret)', 'echo "hunter2-bare-secret"'],
    ['JSON of the wrong shape', `echo '{"Username": 5, "Secret": "hunter2-bare-secret"}'`],
    ['a JSON array', `echo '["hunter2-bare-secret"]'`],
  ])('exit 0 with %s: invalid output, content not shown', async (_name, body) => {
    const h = await withHelper('odd', `cat >/dev/null; ${body}`)
    const error = await rejection(h.resolver.resolve('odd.example'))
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_INVALID_OUTPUT')
    expect(error.message).toMatch(
      /^credential helper docker-credential-odd \(credsStore in .*\) for registry odd.example printed \d+ bytes that are not the expected JSON/,
    )
    expectNoSecrets(error, ['hunter2-bare-secret'])
  })

  it('a helper that is not executable', async () => {
    const h = await withHelper('noexec', 'true')
    await import('node:fs/promises').then((fs) => fs.chmod(join(h.bin, 'docker-credential-noexec'), 0o644))
    const error = await rejection(h.resolver.resolve('x.example'))
    expect(error.code).toBe('WT_CREDENTIALS_HELPER_FAILED')
    expect(error.message).toContain('could not be started: EACCES')
  })
})

describe('spawnHelper', () => {
  it('runs without a shell: metacharacters in the input are data', async () => {
    const dir = await tmp()
    const program = await writeHelper(dir, 'echo', 'cat')
    const result = await spawnHelper(program, ['get'], {
      input: '$(touch /tmp/pwned); `id`',
      env: {},
      timeoutMs: 2000,
    })
    expect(result).toEqual({ code: 0, stdout: '$(touch /tmp/pwned); `id`', stderr: '', timedOut: false })
  })

  it('a helper that exits without reading stdin is fine', async () => {
    const dir = await tmp()
    const program = await writeHelper(dir, 'quick', 'exit 0')
    const result = await spawnHelper(program, ['get'], {
      input: 'x'.repeat(1 << 20),
      env: {},
      timeoutMs: 2000,
    })
    expect(result.code).toBe(0)
  })
})
