/**
 * Tag lists and image configs against the bed's real distribution registries: the same token as the
 * manifests, one listing per repository per cycle, and `created` from the real config blob.
 * Distribution 2.8 (Debian's, the newest packaged) ignores `n` and answers every tag in one page
 * without `Link`; pagination itself (distribution 3, GHCR, Harbor) is in tags.mock.test.ts.
 */
import {
  dockerCli,
  pushImage,
  registryRequests,
  tagImage,
  tokenLog,
  uniqueName,
} from '@watchtower-ts/testbed'
import { describe, expect, inject, it } from 'vitest'
import { aliceResolver, anonymousResolver, trackBedClients } from '../test/bed.ts'

const bed = inject('testbed')
const make = trackBedClients()

const SET = ['1.0.0', '1.0.1', '1.1.0', '1.2.0-rc.1', '2.0.0', 'v3', '1.1.0-alpine', 'latest']
const many = (n: number) => Array.from({ length: n }, (_, i) => `build-${String(i).padStart(4, '0')}`)

describe('listTags on the token registry (TLS, bearer tokens)', () => {
  it('lists 263 tags with one pull token, once per repository per cycle', async () => {
    const repository = uniqueName('alice/tags')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: '1.0.0' })
    const extra = [...SET.slice(1), ...many(255)]
    await tagImage(bed, { registry: 'token', repository, from: '1.0.0', tags: extra })
    const before = (await tokenLog(bed)).length // the pushes above asked for push tokens
    const { client, events } = await make(bed, aliceResolver(bed), { tags: { pageSize: 100 } })
    client.startCycle([pushed.ref])
    const list = await client.listTags(pushed.ref)
    expect(list.tags).toHaveLength(1 + extra.length)
    expect(new Set(list.tags)).toEqual(new Set(['1.0.0', ...extra]))
    expect(list).toMatchObject({ pages: 1, truncated: false })
    await client.listTags(`${bed.registries.token.host}/${repository}:other`) // same repository: no request

    const pages = (await registryRequests(bed, 'token', `/v2/${repository}/tags/list`)).filter(
      (r) => r.status === 200,
    )
    expect(pages.map((p) => new URL(p.path, 'http://x').searchParams.get('n'))).toEqual(['100'])
    expect(client.stats().requests).toMatchObject({ ping: 1, token: 1, tagsList: 1 })
    const tokens = (await tokenLog(bed))
      .slice(before)
      .filter((t) => t.scopes.some((s) => s.includes(repository)))
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.scopes).toEqual([`repository:${repository}:pull`])
    expect(events.filter((e) => e.type === 'tags')).toHaveLength(1)
  })

  it('stops at maxTags and says the list was cut', async () => {
    const repository = uniqueName('alice/tags-cap')
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'a' })
    await tagImage(bed, { registry: 'token', repository, from: 'a', tags: many(30) })
    const { client } = await make(bed, aliceResolver(bed), { tags: { pageSize: 10, maxTags: 15 } })
    const list = await client.listTags(pushed.ref)
    expect(list).toMatchObject({ truncated: true, pages: 1 })
    expect(list.tags).toHaveLength(15)
  })

  it('an unknown repository is WT_REGISTRY_NOT_FOUND naming it', async () => {
    const repository = uniqueName('alice/tags-none')
    const { client } = await make(bed, aliceResolver(bed))
    await expect(client.listTags(`${bed.registries.token.host}/${repository}`)).rejects.toMatchObject({
      code: 'WT_REGISTRY_NOT_FOUND',
    })
  })
})

describe('listTags on a plain-HTTP loopback registry', () => {
  it('works as the first request of a cycle: the ping picks the scheme before the URL is built', async () => {
    const repository = uniqueName('rc/tags-http')
    const pushed = await pushImage(bed, { registry: 'open', variant: 'v1', repository, tag: '1.0.0' })
    const { client } = await make(bed, await anonymousResolver())
    client.startCycle([pushed.ref])
    expect((await client.listTags(pushed.ref)).tags).toEqual(['1.0.0'])
    expect(client.stats().requests).toMatchObject({ ping: 1, tagsList: 1 })
    await dockerCli(bed, ['rmi', pushed.ref]) // the local tag pushImage left
  })
})

describe('imageConfig', () => {
  it('reads created from the real config blob, whose digest is the image id the engine shows', async () => {
    const repository = uniqueName('rc/config')
    const pushed = await pushImage(bed, { registry: 'open', variant: 'v2', repository, tag: 'c' })
    const inspect = await dockerCli(
      bed,
      ['image', 'inspect', '--format', '{{.Id}} {{.Created}}', pushed.ref],
      {
        reject: true,
      },
    )
    const [id, created] = inspect.stdout.trim().split(' ')
    const { client } = await make(bed, await anonymousResolver())
    const info = await client.imageConfig(pushed.ref, { os: 'linux', architecture: 'amd64' })
    expect(info).toMatchObject({ digest: pushed.digest, configDigest: id, platform: { os: 'linux' } })
    expect(info.created).toBe(Date.parse(created!))
    expect(client.stats().requests).toMatchObject({ manifestGet: 1, blob: 1 })
  })
})
