/**
 * Tag-list pagination as registries that paginate answer it (distribution 3, GHCR, Harbor: `n`,
 * `last` and an RFC 8288 `Link: <...>; rel="next"`), which the bed's distribution 2.8 never sends,
 * and the Link parser on its own.
 */
import { describe, expect, it } from 'vitest'
import { anonymous, bearerPing, mockClient, TOKEN, tokenBody, trackMockSetups } from '../test/mock.ts'
import { nextLink } from './tags.ts'

const use = trackMockSetups()
const R = 'https://reg.example'

function page(s: ReturnType<typeof mockClient>, path: string, tags: string[], link?: string) {
  s.agent
    .get(R)
    .intercept({ path, method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })
    .reply(200, JSON.stringify({ name: 'team/app', tags }), {
      headers: { 'content-type': 'application/json', ...(link ? { link } : {}) },
    })
}

describe('nextLink', () => {
  it.each([
    ['</v2/a/tags/list?last=b&n=2>; rel="next"', '/v2/a/tags/list?last=b&n=2'],
    [
      '<https://reg.example/v2/a/tags/list?n=2&last=b>; rel=next',
      'https://reg.example/v2/a/tags/list?n=2&last=b',
    ],
    ['<https://x/prev>; rel="prev", </v2/a/tags/list?last=z>; rel="next"', '/v2/a/tags/list?last=z'],
    ['</v2/a/tags/list?last=z>; title="x"; rel="last next"', '/v2/a/tags/list?last=z'],
    ['</v2/a/tags/list?last=z>; rel="prev"', undefined],
    ['garbage', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, want) => {
    expect(nextLink(header)).toBe(want)
  })
})

describe('listTags pagination (GHCR / Harbor / distribution 3 shape)', () => {
  it('follows Link pages with the same token and keeps the order', async () => {
    const s = use(mockClient(anonymous, { tags: { pageSize: 2 } }))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(200, tokenBody(), { headers: { 'content-type': 'application/json' } })
    page(
      s,
      '/v2/team/app/tags/list?n=2',
      ['1.0.0', '1.0.1'],
      '</v2/team/app/tags/list?last=1.0.1&n=2>; rel="next"',
    )
    page(
      s,
      '/v2/team/app/tags/list?last=1.0.1&n=2',
      ['1.1.0', '2.0.0'],
      `<${R}/v2/team/app/tags/list?last=2.0.0&n=2>; rel="next"`,
    )
    page(s, '/v2/team/app/tags/list?last=2.0.0&n=2', ['latest'])
    const list = await s.client.listTags('reg.example/team/app:1.0.0')
    expect(list).toEqual({
      repository: 'team/app',
      tags: ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest'],
      pages: 3,
      truncated: false,
    })
    expect(s.client.stats().requests).toMatchObject({ token: 1, tagsList: 3 })
  })

  it('never follows a next link to another origin (credentials stay on the registry)', async () => {
    const s = use(mockClient(anonymous))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(200, tokenBody(), { headers: { 'content-type': 'application/json' } })
    page(
      s,
      '/v2/team/app/tags/list?n=1000',
      ['a'],
      '<https://evil.example/v2/team/app/tags/list?last=a>; rel="next"',
    )
    const list = await s.client.listTags('reg.example/team/app')
    expect(list).toMatchObject({ tags: ['a'], pages: 1 })
  })

  it('stops after maxPages and says so; null tags (an empty repository) is an empty list', async () => {
    const s = use(mockClient(anonymous, { tags: { pageSize: 1, maxPages: 2 } }))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(200, tokenBody(), { headers: { 'content-type': 'application/json' } })
    page(s, '/v2/team/app/tags/list?n=1', ['a'], '</v2/team/app/tags/list?last=a&n=1>; rel="next"')
    s.agent
      .get(R)
      .intercept({ path: '/v2/team/app/tags/list?last=a&n=1', method: 'GET' })
      .reply(200, JSON.stringify({ name: 'team/app', tags: null }), {
        headers: { link: '</v2/team/app/tags/list?last=b&n=1>; rel="next"' },
      })
    const list = await s.client.listTags('reg.example/team/app')
    expect(list).toEqual({ repository: 'team/app', tags: ['a'], pages: 2, truncated: true })
  })

  it('a body that is not a tag list is WT_REGISTRY_PROTOCOL naming the repository', async () => {
    const s = use(mockClient(anonymous))
    bearerPing(s)
    s.agent
      .get(R)
      .intercept({ path: (p) => p.startsWith('/token?'), method: 'GET' })
      .reply(200, tokenBody(), { headers: { 'content-type': 'application/json' } })
    s.agent.get(R).intercept({ path: '/v2/team/app/tags/list?n=1000', method: 'GET' }).reply(200, '<html>')
    await expect(s.client.listTags('reg.example/team/app')).rejects.toMatchObject({
      code: 'WT_REGISTRY_PROTOCOL',
      message: expect.stringContaining('team/app'),
    })
  })
})
