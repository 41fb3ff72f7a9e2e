import { createHash } from 'node:crypto'
import { pushImage, tagImage, tokenLog } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bed,
  build,
  cleanupPrefix,
  docker,
  imageOf,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'

// Tag policies and the cooldown delay, end to end: the real engine, the bed's registries (token
// registry: one pull token for the tag list and the manifests), real containers moved by each
// policy as its table says, the health gate rolling a bad new tag back, and images whose config
// carries a chosen `created` time (written through the registry API) for the age gate.
const P = uniqueName('wt-app-pol')
afterAll(async () => {
  await cleanupPrefix(P)
  // the digest references the pulls left on the bed's shared images
  const refs = (await docker(['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}']))
    .split('\n')
    .filter((r) => r.includes(P) && !r.endsWith('@<none>'))
  if (refs.length) await docker(['rmi', ...refs]).catch(() => {})
})

const POLICY = 'com.centurylinklabs.watchtower.tag-policy'
const DELAY = 'com.centurylinklabs.watchtower.cooldown-delay'
const configImage = (name: string) => docker(['inspect', '--format', '{{.Config.Image}}', name])
const lines = (text: string) => text.trim().split('\n').sort()

/** Re-publishes `from` as `tag` with the config's `created` set to `created` (layers unchanged). */
async function retime(repository: string, from: string, tag: string, created: Date): Promise<void> {
  const base = `${bed.registries.open.url}/v2/${repository}`
  const accept = 'application/vnd.docker.distribution.manifest.v2+json'
  const got = await fetch(`${base}/manifests/${from}`, { headers: { accept } })
  expect(got.status).toBe(200)
  const manifest = (await got.json()) as { mediaType: string; config: { digest: string; size: number } }
  const config = (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as Record<
    string,
    unknown
  >
  config.created = created.toISOString()
  const body = Buffer.from(JSON.stringify(config))
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
  const upload = await fetch(`${base}/blobs/uploads/`, { method: 'POST' })
  expect(upload.status).toBe(202)
  const put = new URL(upload.headers.get('location')!, bed.registries.open.url)
  put.searchParams.set('digest', digest)
  const blob = await fetch(put, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream' },
  })
  expect(blob.status).toBe(201)
  manifest.config = { ...manifest.config, digest, size: body.length }
  const m = await fetch(`${base}/manifests/${tag}`, {
    method: 'PUT',
    body: JSON.stringify(manifest),
    headers: { 'content-type': manifest.mediaType },
  })
  expect(m.status).toBe(201)
}

describe('tag policies on the real bed', () => {
  it('each policy moves real containers as its table says; nothing moves downwards or across a suffix', async () => {
    const repository = `alice/${P}-set`
    const host = bed.registries.token.host
    await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: '1.0.0' })
    await tagImage(bed, {
      registry: 'token',
      repository,
      from: '1.0.0',
      tags: ['1.0.1', '1.2.0-rc.1', 'v3', '1.1.0-alpine', 'latest'],
    })
    await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: '1.1.0' })
    await tagImage(bed, { registry: 'token', repository, from: '1.1.0', tags: ['2.0.0'] })
    for (const t of ['2.0.0', 'v3', '1.1.0-alpine']) await docker(['pull', `${host}/${repository}:${t}`])
    const at = (tag: string) => `${host}/${repository}:${tag}`
    const cases: [string, string, string | undefined, string][] = [
      // name, running tag, policy label, tag after the pass
      ['patch', '1.0.0', 'semver:patch', '1.0.1'],
      ['minor', '1.0.0', 'semver:minor', '1.1.0'],
      ['major', '1.0.0', 'semver:major', '2.0.0'],
      ['digest', '1.0.0', undefined, '1.0.0'],
      ['down', '2.0.0', 'semver:minor', '2.0.0'],
      ['alpine', '1.1.0-alpine', 'semver:major', '1.1.0-alpine'],
      ['prefix', 'v3', 'semver:major', 'v3'],
    ]
    for (const [name, tag, policy] of cases)
      await run(`${P}-${name}`, at(tag), policy ? { [POLICY]: policy } : {})
    const names = cases.map(([n]) => `${P}-${n}`)
    const mine = async (from: number) =>
      (await tokenLog(bed)).slice(from).filter((t) => t.scopes.some((s) => s.includes(repository)))
    // monitor-only first: the newer tags reported, nothing pulled; one pull token for the whole
    // pass (the tag list, the candidates' configs and the manifests)
    let before = (await tokenLog(bed)).length
    const seen = await watchtower(['--run-once', '--porcelain', 'v1', '--monitor-only', ...names])
    expect(lines(seen.stdout).filter((l) => l.includes('Stale'))).toEqual(
      [
        `${P}-patch (${at('1.0.0')}): Stale 1.0.0 → 1.0.1`,
        `${P}-minor (${at('1.0.0')}): Stale 1.0.0 → 1.1.0`,
        `${P}-major (${at('1.0.0')}): Stale 1.0.0 → 2.0.0`,
      ].sort(),
    )
    expect((await mine(before)).map((t) => t.scopes)).toEqual([[`repository:${repository}:pull`]])
    before = (await tokenLog(bed)).length
    const r = await watchtower(['--run-once', '--porcelain', 'v1', ...cases.map(([n]) => `${P}-${n}`)])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual(
      [
        `${P}-patch (${at('1.0.0')}): Updated 1.0.0 → 1.0.1`,
        `${P}-minor (${at('1.0.0')}): Updated 1.0.0 → 1.1.0`,
        `${P}-major (${at('1.0.0')}): Updated 1.0.0 → 2.0.0`,
        `${P}-digest (${at('1.0.0')}): Fresh`,
        `${P}-down (${at('2.0.0')}): Fresh`,
        `${P}-alpine (${at('1.1.0-alpine')}): Fresh`,
        `${P}-prefix (${at('v3')}): Fresh`,
      ].sort(),
    )
    for (const [name, , , after] of cases) expect(await configImage(`${P}-${name}`)).toBe(at(after))
    expect(await imageOf(`${P}-patch`)).toBe(await imageOf(`${P}-digest`)) // 1.0.1 is 1.0.0's image
    expect(await imageOf(`${P}-minor`)).toBe(await imageOf(`${P}-major`)) // 1.1.0 and 2.0.0: one image
    expect(r.stderr).toMatch(/Found newer tag 1\.1\.0 for .*\(1\.0\.0 → 1\.1\.0\)/)
    // watchtower's one token, and one per pull the engine made itself (1.0.1, 1.1.0, 2.0.0)
    expect(await mine(before)).toHaveLength(1 + 3)
    // a second pass finds nothing newer: the moved containers stay where they are
    const again = await watchtower(['--run-once', '--porcelain', 'v1', `${P}-minor`, `${P}-major`])
    expect(lines(again.stdout)).toEqual(
      [`${P}-major (${at('2.0.0')}): Fresh`, `${P}-minor (${at('1.1.0')}): Fresh`].sort(),
    )
  })

  it('--monitor-only reports the newer tag and moves nothing; --tag-policy is the default for every container', async () => {
    const repository = `${P}-mon`
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: '1.0.0' })
    await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: '1.4.0' })
    const name = `${P}-mon`
    await run(name, v1.ref)
    const r = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--monitor-only',
      '--tag-policy',
      'semver:minor',
      name,
    ])
    expect(r.stdout).toBe(`${name} (${v1.ref}): Stale 1.0.0 → 1.4.0\n`)
    expect(await configImage(name)).toBe(v1.ref)
  })

  it('a new tag whose image fails its health check is rolled back: the old container runs on the old tag', async () => {
    const repository = `${P}-sick`
    const good = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: '1.0.0' })
    const sick = `${bed.registries.open.host}/${repository}:1.1.0`
    await build(sick, 'v2', ['HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD false'])
    await docker(['push', sick])
    const name = `${P}-sick`
    const oldId = await run(name, good.ref, { [POLICY]: 'semver:minor' })
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--health-timeout', '20s', name])
    expect(r.stdout).toMatch(
      new RegExp(
        `^${name} \\(${good.ref.replace(/[.]/g, '\\.')}\\): Failed 1\\.0\\.0 → 1\\.1\\.0 Error: .*unhealthy`,
      ),
    )
    expect(await configImage(name)).toBe(good.ref)
    expect(await docker(['inspect', '--format', '{{.Id}} {{.State.Running}}', name])).toBe(`${oldId} true`)
  })
})

describe('the cooldown delay on the real bed', () => {
  it('holds back a new tag younger than the delay (waiting, time left, no pull) and lets an old one through', async () => {
    const young = `${P}-young`
    const old = `${P}-old`
    const a = await pushImage(bed, { registry: 'open', variant: 'v1', repository: young, tag: '1.0.0' })
    const b = await pushImage(bed, { registry: 'open', variant: 'v1', repository: old, tag: '1.0.0' })
    await retime(young, '1.0.0', '1.1.0', new Date(Date.now() - 10 * 60_000))
    await retime(old, '1.0.0', '1.1.0', new Date('2020-01-01T00:00:00Z'))
    await run(`${P}-young`, a.ref, { [POLICY]: 'semver:minor' })
    await run(`${P}-old`, b.ref, { [POLICY]: 'semver:minor' })
    const r = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--cooldown-delay',
      '1h',
      `${P}-young`,
      `${P}-old`,
    ])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual(
      [`${P}-old (${b.ref}): Updated 1.0.0 → 1.1.0`, `${P}-young (${a.ref}): Fresh`].sort(),
    )
    expect(r.stderr).toMatch(
      new RegExp(
        `Waiting to update ${P}-young: .*:1\\.1\\.0 is too new \\(the new image is 10m.*old; the cooldown delay asks for 1h \\((49|50)m.*to go\\)\\)`,
      ),
    )
    expect(await configImage(`${P}-young`)).toBe(a.ref)
    expect(await configImage(`${P}-old`)).toBe(`${bed.registries.open.host}/${old}:1.1.0`)
    expect((await docker(['images', '-q', `${bed.registries.open.host}/${young}:1.1.0`])).trim()).toBe('')
    // the label wins over the flag: 1m lets the 10-minute-old image through
    await docker(['rm', '-f', `${P}-young`])
    await run(`${P}-young`, a.ref, { [POLICY]: 'semver:minor', [DELAY]: '1m' })
    const later = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--cooldown-delay',
      '1h',
      `${P}-young`,
    ])
    expect(later.stdout).toBe(`${P}-young (${a.ref}): Updated 1.0.0 → 1.1.0\n`)
  })

  it('a new digest of the same tag younger than the delay waits too', async () => {
    const repository = `${P}-dig`
    const v1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: 'stable' })
    await run(`${P}-dig`, v1.ref)
    await retime(repository, 'stable', 'stable', new Date(Date.now() - 60_000))
    const r = await watchtower(['--run-once', '--porcelain', 'v1', '--cooldown-delay', '1d', `${P}-dig`])
    expect(r.stdout).toBe(`${P}-dig (${v1.ref}): Fresh\n`)
    expect(r.stderr).toMatch(/Waiting to update .*-dig: .*:stable is too new .*\(23h 5\dm to go\)/)
    const go = await watchtower(['--run-once', '--porcelain', 'v1', `${P}-dig`])
    expect(go.stdout).toBe(`${P}-dig (${v1.ref}): Updated\n`)
  })
})
