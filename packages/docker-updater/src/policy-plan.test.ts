import { describe, expect, it } from 'vitest'
import type { ContainerInspect, DockerEngine, ImageInspect } from './engine.ts'
import { LABELS } from './labels.ts'
import { policyOf } from './policy.ts'
import { type ContainerPolicy, createStalenessChecker } from './stale.ts'
import { parseTagPolicy } from './tag-policy.ts'
import type { ImageChecker, ImagePlatform } from './types.ts'

// Planning logic (which tag, which platform, how old) against a fake engine and registry with an
// injected clock: the real engine cannot wait a day, and no real registry lacks a platform at will.

const REG = '127.0.0.1:5999/team/app'
const TAGS = ['1.0.0', '1.0.1', '1.1.0', '1.2.0-rc.1', '2.0.0', 'v3', '1.1.0-alpine', 'latest']
const HOUR = 3_600_000
const NOW = Date.parse('2026-12-02T12:00:00Z')

interface FakeImage {
  created: number
  platform?: ImagePlatform
  /** imageConfig throws this, as registry-client does for an index without the platform. */
  missing?: string
}

function fakes(images: Record<string, FakeImage>, opts: { digestStale?: boolean } = {}) {
  const calls = { check: [] as string[], listTags: [] as string[], imageConfig: [] as string[] }
  const pulls: string[] = []
  // the container's tag (whichever it is) points to the running image
  const local = new Map<string, string>(
    ['1.0.0', '2.0.0', 'latest'].map((t) => [`${REG}:${t}`, 'sha256:old']),
  )
  const engine = {
    async inspectImage(ref: string): Promise<ImageInspect> {
      const id = local.get(ref)
      if (!id) throw new Error(`no such image ${ref}`)
      return { Id: id }
    },
    async pullImage(ref: string) {
      pulls.push(ref)
      local.set(ref, `sha256:${ref.split(':').pop()}`)
    },
  } as unknown as DockerEngine
  const checker: ImageChecker = {
    async check({ original: ref }) {
      calls.check.push(ref)
      if (opts.digestStale) {
        local.set(ref, 'sha256:rebuilt')
        return { status: 'stale', remoteDigest: 'sha256:new' }
      }
      return { status: 'fresh', remoteDigest: 'sha256:same' }
    },
    async listTags({ original: ref }) {
      calls.listTags.push(ref)
      return { tags: TAGS }
    },
    async imageConfig({ original: ref }, platform) {
      calls.imageConfig.push(ref)
      const tag = ref.slice(ref.lastIndexOf(':') + 1)
      const img = images[tag] ?? { created: NOW - 30 * 24 * HOUR }
      if (img.missing) throw new Error(`${ref} has no linux/amd64 image (it has: ${img.missing})`)
      return { created: img.created, platform: img.platform ?? platform }
    },
  }
  return { engine, checker, calls, pulls }
}

const container = (name: string, labels: Record<string, string> = {}, image = `${REG}:1.0.0`) =>
  ({
    Id: `id-${name}`,
    Name: `/${name}`,
    Image: 'sha256:old',
    Config: { Image: image, Labels: labels },
    State: { Running: true },
  }) as unknown as ContainerInspect
const running: ImageInspect = {
  Id: 'sha256:old',
  RepoDigests: [`${REG}@sha256:same`],
  Os: 'linux',
  Architecture: 'amd64',
}
const policy = (kind: string, delayMs = 0, monitorOnly = false): ContainerPolicy => ({
  tag: parseTagPolicy({ policy: kind }, 'test'),
  delayMs,
  monitorOnly,
})

function checkerFor(f: ReturnType<typeof fakes>, now = () => NOW) {
  return createStalenessChecker({
    engine: f.engine,
    checker: f.checker,
    auth: undefined,
    concurrency: 2,
    now,
  })
}

describe('tag policies: planning', () => {
  it.each([
    ['semver:patch', '1.0.1'],
    ['semver:minor', '1.1.0'],
    ['semver:major', '2.0.0'],
  ])(
    '%s moves 1.0.0 to %s: one tag list, one config, a pull of name:newtag, no digest check',
    async (kind, to) => {
      const f = fakes({})
      const s = checkerFor(f)
      const r = await s.staleness(container('a'), running, `${REG}:1.0.0`, false, policy(kind))
      expect(r).toMatchObject({
        state: 'stale',
        latestImageId: `sha256:${to}`,
        tagChange: { from: '1.0.0', to, newImage: `${REG}:${to}` },
      })
      expect(f.calls.listTags).toEqual([`${REG}:1.0.0`])
      expect(f.calls.imageConfig).toEqual([`${REG}:${to}`])
      expect(f.calls.check).toEqual([])
      expect(f.pulls).toEqual([`${REG}:${to}`])
    },
  )

  it('digest (the default) costs no tag list and no config: one check, as watchtower', async () => {
    const f = fakes({})
    const r = await checkerFor(f).staleness(container('a'), running, `${REG}:1.0.0`, false, policy('digest'))
    expect(r.state).toBe('fresh')
    expect(f.calls).toEqual({ check: [`${REG}:1.0.0`], listTags: [], imageConfig: [] })
  })

  it('no newer tag: falls back to the digest check of the same tag', async () => {
    const f = fakes({})
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:2.0.0`,
      false,
      policy('semver:major'),
    )
    expect(r.state).toBe('fresh')
    expect(f.calls.check).toEqual([`${REG}:2.0.0`])
    expect(f.calls.imageConfig).toEqual([])
  })

  it('a tag that is not a version (latest) is noted and checked by digest', async () => {
    const f = fakes({})
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:latest`,
      false,
      policy('semver:minor'),
    )
    expect(r.state).toBe('fresh')
    expect(r.notes?.[0]).toMatch(/tag latest is not a version/)
  })

  it('a candidate without the container platform is passed over with a note; the next best is taken', async () => {
    const f = fakes({
      '1.1.0': { created: NOW - 48 * HOUR, missing: 'linux/arm64' },
      '1.0.1': { created: NOW - 48 * HOUR, platform: { os: 'linux', architecture: 'arm64' } },
    })
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('semver:minor'),
    )
    // 1.1.0 has no amd64 image (an index without it), 1.0.1 is an arm64 image: neither is usable
    expect(r.state).toBe('fresh')
    expect(r.notes).toEqual([
      expect.stringMatching(/tag 1\.1\.0 passed over: .*no linux\/amd64 image \(it has: linux\/arm64\)/),
      'tag 1.0.1 passed over: its image is linux/arm64, the container runs linux/amd64',
    ])
    expect(f.calls.imageConfig).toEqual([`${REG}:1.1.0`, `${REG}:1.0.1`])
    expect(f.pulls).toEqual([])
  })

  it('the platform of the running image decides (an arm64 container takes the arm64 tag)', async () => {
    const arm: ImagePlatform = { os: 'linux', architecture: 'arm64', variant: 'v8' }
    const f = fakes({ '1.1.0': { created: NOW - 48 * HOUR, platform: arm } })
    const r = await checkerFor(f).staleness(
      container('a'),
      { ...running, Architecture: 'arm64', Variant: 'v8' },
      `${REG}:1.0.0`,
      false,
      policy('semver:minor'),
    )
    expect(r).toMatchObject({ state: 'stale', tagChange: { to: '1.1.0' } })
  })

  it('monitor-only reports the newer tag without pulling', async () => {
    const f = fakes({})
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('semver:minor', 0, true),
    )
    expect(r).toMatchObject({ state: 'stale', latestImageId: 'sha256:old', tagChange: { to: '1.1.0' } })
    expect(f.pulls).toEqual([])
  })

  it('containers of one repository share one tag list and one config per candidate', async () => {
    const f = fakes({})
    const s = checkerFor(f)
    await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        s.staleness(container(n), running, `${REG}:1.0.0`, false, policy('semver:minor')),
      ),
    )
    expect(f.calls.listTags).toHaveLength(1)
    expect(f.calls.imageConfig).toHaveLength(1)
    expect(f.pulls).toHaveLength(1)
    expect(s.stats()).toMatchObject({ tagLists: 1, configs: 1, pulls: 1 })
  })
})

describe('cooldown delay: planning with an injected clock', () => {
  it('a new tag younger than the delay waits (time left, no pull); a day later it moves', async () => {
    const images = { '1.1.0': { created: NOW - 2 * HOUR } }
    const f = fakes(images)
    const early = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('semver:minor', 24 * HOUR),
    )
    expect(early).toMatchObject({
      state: 'fresh',
      latestImageId: 'sha256:old',
      waiting: { image: `${REG}:1.1.0`, created: NOW - 2 * HOUR, waitMs: 22 * HOUR },
    })
    expect(early.state !== 'skipped' && early.waiting?.reason).toMatch(/2h old; .*1d .*\(22h to go\)/)
    expect(f.pulls).toEqual([])
    const later = await checkerFor(f, () => NOW + 22 * HOUR).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('semver:minor', 24 * HOUR),
    )
    expect(later).toMatchObject({ state: 'stale', tagChange: { to: '1.1.0' } })
    expect(f.pulls).toEqual([`${REG}:1.1.0`])
  })

  it('a new digest younger than the delay waits: one config read, no pull', async () => {
    const f = fakes({ '1.0.0': { created: NOW - 10 * 60_000 } }, { digestStale: true })
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('digest', HOUR),
    )
    expect(r).toMatchObject({ state: 'fresh', waiting: { waitMs: 50 * 60_000 } })
    expect(f.calls.imageConfig).toEqual([`${REG}:1.0.0`])
    expect(f.pulls).toEqual([])
  })

  it('a new digest old enough is pulled; without a delay no config is read at all', async () => {
    const f = fakes({ '1.0.0': { created: NOW - 2 * HOUR } }, { digestStale: true })
    const r = await checkerFor(f).staleness(
      container('a'),
      running,
      `${REG}:1.0.0`,
      false,
      policy('digest', HOUR),
    )
    expect(r.state).toBe('stale')
    expect(f.pulls).toEqual([`${REG}:1.0.0`])
    const g = fakes({}, { digestStale: true })
    await checkerFor(g).staleness(container('a'), running, `${REG}:1.0.0`, false, policy('digest'))
    expect(g.calls.imageConfig).toEqual([])
  })
})

describe('policyOf: labels over the default', () => {
  it('labels override the default; filters of the default stay unless a label replaces them', () => {
    const def = parseTagPolicy({ policy: 'semver:patch', exclude: 'alpine' }, 'flag')
    const p = policyOf(
      container('a', { [LABELS.tagPolicy]: 'semver:major', [LABELS.cooldownDelay]: '1d' }),
      { tagPolicy: def, cooldownDelayMs: HOUR },
      false,
    )
    expect(p).toMatchObject({ tag: { kind: 'semver:major', exclude: /alpine/ }, delayMs: 24 * HOUR })
    expect(policyOf(container('b'), { tagPolicy: def, cooldownDelayMs: HOUR }, true)).toEqual({
      tag: def,
      delayMs: HOUR,
      monitorOnly: true,
    })
    expect(policyOf(container('c'), {}, false)).toEqual({
      tag: { kind: 'digest' },
      delayMs: 0,
      monitorOnly: false,
    })
  })

  it('a bad label is an error naming the container and the label', () => {
    expect(policyOf(container('web', { [LABELS.tagPolicy]: 'semver:newest' }), {}, false)).toEqual({
      error: expect.stringMatching(/container web: .*"semver:newest" is not one of/),
    })
    expect(policyOf(container('web', { [LABELS.cooldownDelay]: 'soon' }), {}, false)).toEqual({
      error: expect.stringMatching(
        /container web: label com\.centurylinklabs\.watchtower\.cooldown-delay: "soon"/,
      ),
    })
  })
})
