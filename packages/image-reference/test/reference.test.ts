import { describe, expect, it } from 'vitest'
import {
  isImageId,
  isImageReferenceError,
  matchesReference,
  normalizeRegistryHost,
  parseReference,
  parseRepoDigest,
  sameRepositoryDigests,
  tryParseReference,
} from '../src/index.ts'

const HEX = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
const D = `sha256:${HEX}`

// Vectors from distribution/reference normalize_test.go (TestValidateReferenceName,
// TestValidateRemoteName, TestParseRepositoryInfo, TestNormalizedSplitHostname, TestParseAnyReference).
describe('parseReference: distribution/reference vectors', () => {
  it.each([
    'docker/docker',
    'library/debian',
    'debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '[fc00::1]:5000/docker/docker',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ])('accepts %s', (name) => {
    expect(() => parseReference(name)).not.toThrow()
  })

  it.each([
    ['https://github.com/docker/docker', /./],
    ['docker/Docker', /must be lowercase/],
    ['-docker', /not a valid path component/],
    ['-docker/docker', /not a valid path component/],
    ['-docker.io/docker/docker', /registry host/],
    ['docker///docker', /empty path component/],
    ['docker.io/docker/Docker', /must be lowercase/],
    ['docker.io/docker///docker', /empty path component/],
    ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', /image ID/],
    ['docker-/docker', /path component/],
    ['-docker-/docker', /path component/],
    ['____/____', /path component/],
    ['_docker/_docker', /path component/],
    ['dock..er/docker', /registry host/],
    ['dock..er/docker', /registry host/],
    ['dock..er/docker', /registry host/],
    ['docker/', /empty path component/],
    [
      `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4)}/docker`,
      /longer than 255/,
    ],
    ['', /empty/],
    [':justtag', /missing/],
    [`@${D}`, /missing/],
    [`validname@invaliddigest:${HEX}`, /unsupported digest algorithm/],
    [`${'a/'.repeat(128)}a:tag`, /longer than 255/],
    ['aa/asdf$$^/aa', /path component/],
    ['nginx:-bad', /not a valid tag/],
    ['nginx@sha256:abc', /not a digest/],
  ])('rejects %s', (input, why) => {
    try {
      parseReference(input)
      expect.unreachable()
    } catch (err) {
      expect(isImageReferenceError(err)).toBe(true)
      expect((err as { code?: string }).code).toBe('WT_REFERENCE_INVALID')
      expect((err as Error).message).toMatch(why)
      expect((err as Error).message).toContain(`"${input}"`)
    }
  })

  it.each([
    ['fooo/bar', 'docker.io', 'fooo/bar'],
    ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
    ['ubuntu', 'docker.io', 'library/ubuntu'],
    ['library/ubuntu', 'docker.io', 'library/ubuntu'],
    ['docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
    ['nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu'],
    ['other/library', 'docker.io', 'other/library'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase'],
    ['127.0.0.1:8000/privatebase', '127.0.0.1:8000', 'privatebase'],
    ['example.com/private/moonbase', 'example.com', 'private/moonbase'],
    ['example.com:8000/privatebasee', 'example.com:8000', 'privatebasee'],
    ['ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['store/foo/bar', 'docker.io', 'store/foo/bar'],
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['localhost/foo', 'localhost', 'foo'],
    ['localhost:5000/foo', 'localhost:5000', 'foo'],
    ['registry-1.docker.io/library/nginx', 'docker.io', 'library/nginx'],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux'],
    [
      'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
      'docker.io',
      'library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
    ],
  ])('%s → registry %s, repository %s', (input, registry, repository) => {
    const ref = parseReference(input)
    expect(ref.registry).toBe(registry)
    expect(ref.repository).toBe(repository)
    expect(ref.original).toBe(input)
  })

  it.each([
    ['redis', 'docker.io/library/redis:latest'],
    ['redis:latest', 'docker.io/library/redis:latest'],
    ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [`redis@${D}`, `docker.io/library/redis@${D}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest'],
    [`dmcgowan/myapp@${D}`, `docker.io/dmcgowan/myapp@${D}`],
    ['test.com:5000', 'docker.io/library/test.com:5000'],
    ['test:5000/repo:tag', 'test:5000/repo:tag'],
    [`test:5000/repo:tag@${D}`, `test:5000/repo:tag@${D}`],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io/test.example.com/my-app:test.example.com',
    ],
    ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080'],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${HEX}${HEX}`,
      `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${HEX}${HEX}`,
    ],
  ])('%s canonical %s', (input, canonical) => {
    expect(parseReference(input).canonical).toBe(canonical)
  })
})

describe('parseReference: fields', () => {
  it('Docker Hub: API host, library/, latest by default, spelling kept', () => {
    expect(parseReference('nginx')).toEqual({
      original: 'nginx',
      registry: 'docker.io',
      apiHost: 'registry-1.docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      defaultTag: true,
      pinned: false,
      canonical: 'docker.io/library/nginx:latest',
      name: 'docker.io/library/nginx',
    })
  })

  it('name:tag@digest is pinned and keeps both', () => {
    const ref = parseReference(`busybox:latest@${D}`)
    expect(ref).toMatchObject({
      tag: 'latest',
      digest: D,
      pinned: true,
      canonical: `docker.io/library/busybox:latest@${D}`,
    })
  })

  it('name@digest has no tag', () => {
    const ref = parseReference(`127.0.0.1:5000/app@${D}`)
    expect(ref.tag).toBeUndefined()
    expect(ref).toMatchObject({ registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', pinned: true })
  })

  it('keeps the tag case (tags are case-sensitive)', () => {
    expect(parseReference('test.com:8000/foo:TAG5').tag).toBe('TAG5')
  })

  it('a 128-character tag is fine, 129 is not', () => {
    expect(parseReference(`a:${'t'.repeat(128)}`).tag).toHaveLength(128)
    expect(() => parseReference(`a:${'t'.repeat(129)}`)).toThrow(/not a valid tag/)
  })

  it('digest hex length is checked per algorithm', () => {
    expect(() => parseReference(`a@sha256:${HEX}ff`)).toThrow(/64 hex characters/)
  })
})

describe('parseRepoDigest', () => {
  it('normalizes the repository of a RepoDigests entry', () => {
    expect(parseRepoDigest(`nginx@${D}`)).toEqual({ name: 'docker.io/library/nginx', digest: D })
    expect(parseRepoDigest(`127.0.0.1:5000/a/b@${D}`)).toEqual({ name: '127.0.0.1:5000/a/b', digest: D })
  })
  it('returns undefined for junk or a tag-only entry', () => {
    expect(parseRepoDigest('<none>@<none>')).toBeUndefined()
    expect(parseRepoDigest('nginx:1')).toBeUndefined()
  })
})

describe('the one Docker Hub alias list', () => {
  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'Docker.IO'])(
    '%s is Docker Hub',
    (host) => {
      expect(normalizeRegistryHost(host)).toBe('docker.io')
      expect(parseReference(`${host}/nginx`)).toMatchObject({
        registry: 'docker.io',
        repository: 'library/nginx',
        apiHost: 'registry-1.docker.io',
      })
    },
  )
  it('another host is kept as written', () => {
    expect(normalizeRegistryHost('ghcr.io')).toBe('ghcr.io')
  })
})

describe('helpers', () => {
  it('defaultTag is true only when latest was filled in', () => {
    expect(parseReference('nginx').defaultTag).toBe(true)
    expect(parseReference('nginx:latest').defaultTag).toBe(false)
    expect(parseReference(`nginx@${D}`).defaultTag).toBe(false)
  })
  it('isImageId: sha256:<hex> and bare hex, nothing else', () => {
    expect(isImageId(D)).toBe(true)
    expect(isImageId(HEX)).toBe(true)
    expect(isImageId('nginx')).toBe(false)
    expect(isImageId(`nginx@${D}`)).toBe(false)
  })
  it('tryParseReference returns undefined instead of throwing', () => {
    expect(tryParseReference('Bad/Name')).toBeUndefined()
    expect(tryParseReference('nginx')?.name).toBe('docker.io/library/nginx')
  })
  it('matchesReference: registry and repository, the tag only when the filter names one', () => {
    const nginx127 = parseReference('nginx:1.27')
    expect(matchesReference(nginx127, parseReference('docker.io/library/nginx'))).toBe(true)
    expect(matchesReference(nginx127, parseReference('index.docker.io/nginx:1.27'))).toBe(true)
    expect(matchesReference(nginx127, parseReference('nginx:latest'))).toBe(false)
    expect(matchesReference(nginx127, parseReference(`nginx@${D}`))).toBe(true)
    expect(matchesReference(nginx127, parseReference('127.0.0.1:5000/nginx'))).toBe(false)
  })
  it('sameRepositoryDigests keeps the entries of the same repository, whatever the spelling', () => {
    const entries = [`nginx@${D}`, `docker.io/library/nginx@${D}`, `other@${D}`, '<none>@<none>']
    expect(sameRepositoryDigests(parseReference('index.docker.io/library/nginx:1'), entries)).toEqual([
      `nginx@${D}`,
      `docker.io/library/nginx@${D}`,
    ])
  })
  it('sameRepositoryDigests leaves out other repositories that end alike, as parsing every entry would', () => {
    const names = [
      'nginx',
      'mynginx',
      'library/nginx',
      'docker.io/nginx',
      'index.docker.io/library/nginx',
      'registry-1.docker.io/library/nginx',
      'team/nginx',
      '127.0.0.1:5000/nginx',
      '127.0.0.1:5000/library/nginx',
      'ghcr.io/team/nginx',
      'team/my-nginx',
      'nginx-x',
      'NGINX',
      'localhost/nginx',
    ]
    const entries = [...names.map((n) => `${n}@${D}`), '<none>@<none>', '@x', 'nginx']
    const naive = (ref: ReturnType<typeof parseReference>) =>
      entries.filter(
        (e) => e.indexOf('@') > 0 && tryParseReference(e.slice(0, e.indexOf('@')))?.name === ref.name,
      )
    for (const n of names.filter((x) => tryParseReference(x))) {
      const ref = parseReference(`${n}:1`)
      expect(sameRepositoryDigests(ref, entries), n).toEqual(naive(ref))
    }
    expect(sameRepositoryDigests(parseReference('nginx'), entries)).toHaveLength(5)
  })
  it('sameRepositoryDigests compares the repository only, not the digest', () => {
    expect(
      sameRepositoryDigests(parseReference('127.0.0.1:1/app:v'), ['127.0.0.1:1/app@sha256:old']),
    ).toEqual(['127.0.0.1:1/app@sha256:old'])
  })
})
