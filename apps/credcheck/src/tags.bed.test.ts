/**
 * `credcheck tags` against the bed's token registry: the same client path as a pass with a tag
 * policy (one pull token, the tag list), the policy's verdict per candidate, and a refused scope.
 */
import { dockerCli, pushImage, tagImage, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { aliceConfig, baseEnv, basicAuth, dockerConfig, expectNoSecrets } from '../test/bed.ts'
import { runCli } from '../test/run-cli.ts'

const bed = inject('testbed')
const SET = ['1.0.1', '1.1.0', '1.2.0-rc.1', '2.0.0', 'v3', '1.1.0-alpine', 'latest']
let repository: string
let ref: string

beforeAll(async () => {
  repository = uniqueName('alice/cc-tags')
  ;({ ref } = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: '1.0.0' }))
  await tagImage(bed, { registry: 'token', repository, from: '1.0.0', tags: SET })
})

afterAll(async () => {
  await dockerCli(bed, ['rmi', ref]) // the local tag pushImage left (the bed's image stays)
})

describe('credcheck tags', () => {
  it('lists the tags with one pull token and explains semver:minor (1.0.0 → 1.1.0, platform checked)', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig(bed) })
    const before = (await tokenLog(bed)).length
    const r = await runCli(['tags', ref, '--policy', 'semver:minor', '--registry-ca', bed.tls.caCert], {
      env,
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      `repository ${bed.registries.token.host}/${repository}: 8 tags in 1 page(s), complete`,
    )
    expect(r.stdout).toContain(`token scope: repository:${repository}:pull`)
    expect(r.stdout).toMatch(/ok {3}1\.1\.0: linux\/amd64, \d+[smhd]/)
    expect(r.stdout).toContain('a container on 1.0.0 moves to 1.1.0')
    const tokens = (await tokenLog(bed))
      .slice(before)
      .filter((t) => t.scopes.some((s) => s.includes(repository)))
    expect(tokens).toHaveLength(1)
    expectNoSecrets(bed, r.stdout)
  })

  it('a platform the tags do not have: each candidate is passed over, with why', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig(bed) })
    const r = await runCli(
      [
        'tags',
        ref,
        '--policy',
        'semver:minor',
        '--platform',
        'linux/arm64',
        '--registry-ca',
        bed.tls.caCert,
        '--json',
      ],
      { env },
    )
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      candidates: { tag: string; usable: boolean; note: string }[]
      verdict: string
    }
    expect(doc.candidates.map((c) => [c.tag, c.usable])).toEqual([
      ['1.1.0', false],
      ['1.0.1', false],
    ])
    expect(doc.candidates[0]!.note).toBe('its image is linux/amd64, not linux/arm64')
    expect(doc.verdict).toMatch(/no candidate has a linux\/arm64 image/)
  })

  it('nothing newer within the bound: counts what each rule turned away', async () => {
    const env = await baseEnv(bed, { DOCKER_CONFIG: await aliceConfig(bed) })
    const r = await runCli(
      [
        'tags',
        ref.replace(/:1\.0\.0$/, ':2.0.0'),
        '--policy',
        'semver:patch',
        '--registry-ca',
        bed.tls.caCert,
      ],
      { env },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('no tag newer than 2.0.0 within semver:patch')
    expect(r.stdout).toContain('not versions (latest')
    expect(r.stdout).toContain('of another shape')
  })

  it('credentials without pull on the repository: the scope is named, with the fix', async () => {
    const { bob } = bed.users
    const env = await baseEnv(bed, {
      DOCKER_CONFIG: await dockerConfig({
        auths: { [bed.registries.token.host]: { auth: basicAuth(bob.username, bob.password) } },
      }),
    })
    const r = await runCli(['tags', ref, '--registry-ca', bed.tls.caCert], { env })
    expect([6, 7]).toContain(r.code)
    expect(r.stdout).toMatch(/FAIL {2}WT_REGISTRY_(UNAUTHORIZED|TOKEN_DENIED)/)
    expect(r.stdout).toContain(`repository:${repository}:pull`)
    expectNoSecrets(bed, r.stdout)
  })
})
