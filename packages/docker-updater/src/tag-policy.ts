/**
 * Tag policies: which newer tag a container may move to, when its tag is a version.
 *
 * A Docker tag is read the way Renovate's Docker versioning reads it, with pre-releases told apart
 * from variant suffixes:
 *
 *   v1.25.3-rc.1-alpine   prefix "v", release [1,25,3], pre-release "rc.1", suffix "alpine"
 *   16-bullseye-slim      release [16], suffix "bullseye-slim"
 *
 * A candidate must keep the tag's shape: the same prefix, the same number of release segments and
 * the same suffix (the suffix is a compatibility key: `-alpine` never moves to `-debian` or to no
 * suffix). It must be newer (never downwards), within the bound (`patch`: same major.minor,
 * `minor`: same major, `major`: any), and a pre-release only when the current tag is one.
 * `include`/`exclude` filter the raw tags first; `transform` (`REGEX => $1.$2`, as What's Up Docker
 * writes it) reshapes a tag before it is read, for tags that are not versions as written.
 */

export type TagPolicyKind = 'digest' | 'semver:patch' | 'semver:minor' | 'semver:major'

export interface TagPolicy {
  kind: TagPolicyKind
  include?: RegExp
  exclude?: RegExp
  transform?: { pattern: RegExp; replacement: string }
}

export interface DockerVersion {
  prefix: string
  release: number[]
  /** Dot-separated identifiers after the first `-`, when they name a pre-release (`rc.1`, `beta2`). */
  prerelease?: string
  /** The rest: a variant that must stay the same (`alpine`, `bullseye-slim`). */
  suffix: string
}

const VERSION = /^([^\d]*?)(\d+(?:\.\d+){0,3})(?:-(.+))?$/
const PRERELEASE = /^(?:alpha|beta|rc|pre|preview|dev|snapshot|canary|nightly|next|a|b|m)(?:[.-]?\d+)*$/i

/** Reads a tag as a version, or undefined when it is not one (`latest`, `stable`, `sha-abc`). */
export function parseDockerVersion(tag: string): DockerVersion | undefined {
  const m = VERSION.exec(tag)
  if (!m) return undefined
  const [, prefix = '', numbers = '', rest] = m
  // a prefix is letters only (`v`, `release-` is not supported as a prefix: too easily a name)
  if (prefix !== '' && !/^[a-zA-Z]{1,8}$/.test(prefix)) return undefined
  const release = numbers.split('.').map(Number)
  if (release.some((n) => !Number.isSafeInteger(n))) return undefined
  let prerelease: string | undefined
  let suffix = ''
  if (rest !== undefined) {
    const parts = rest.split('-')
    if (PRERELEASE.test(parts[0]!)) {
      prerelease = parts[0]!
      suffix = parts.slice(1).join('-')
    } else suffix = rest
  }
  return prerelease === undefined ? { prefix, release, suffix } : { prefix, release, prerelease, suffix }
}

function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0
  if (a === undefined) return 1 // a release is newer than its pre-releases
  if (b === undefined) return -1
  const pa = a.split(/[.-]/)
  const pb = b.split(/[.-]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x) ? Number(x) : undefined
    const ny = /^\d+$/.test(y) ? Number(y) : undefined
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx < ny ? -1 : 1
    } else if (nx !== undefined) return -1
    else if (ny !== undefined) return 1
    else if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** Orders two versions of the same shape (release segments, then pre-release). */
export function compareDockerVersions(a: DockerVersion, b: DockerVersion): number {
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const x = a.release[i] ?? 0
    const y = b.release[i] ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return comparePrerelease(a.prerelease, b.prerelease)
}

function withinBound(current: DockerVersion, candidate: DockerVersion, kind: TagPolicyKind): boolean {
  if (kind === 'semver:major') return true
  if (candidate.release[0] !== current.release[0]) return false
  if (kind === 'semver:minor') return true
  return candidate.release[1] === current.release[1]
}

function transformed(tag: string, policy: TagPolicy): string {
  if (!policy.transform) return tag
  const { pattern, replacement } = policy.transform
  if (!pattern.test(tag)) return tag
  return tag.replace(pattern, replacement)
}

export type TagChoice =
  | { kind: 'newer'; tag: string; from: string }
  | { kind: 'none'; reason: string }
  | { kind: 'not-a-version'; reason: string }

/**
 * The newest tag among `tags` that `policy` lets a container on `current` move to. `digest` never
 * moves (the same tag, a new digest, as watchtower does).
 */
export function pickNewerTag(current: string, tags: Iterable<string>, policy: TagPolicy): TagChoice {
  if (policy.kind === 'digest') return { kind: 'none', reason: 'policy digest: the tag does not change' }
  const now = parseDockerVersion(transformed(current, policy))
  if (!now) {
    return {
      kind: 'not-a-version',
      reason: `tag ${current} is not a version${policy.transform ? ' (after the transform)' : ''}, so ${policy.kind} cannot move it`,
    }
  }
  let best: { tag: string; version: DockerVersion } | undefined
  for (const tag of tags) {
    if (tag === current) continue
    if (policy.include && !policy.include.test(tag)) continue
    if (policy.exclude?.test(tag)) continue
    const v = parseDockerVersion(transformed(tag, policy))
    if (!v) continue
    if (v.prefix !== now.prefix || v.suffix !== now.suffix || v.release.length !== now.release.length)
      continue
    if (v.prerelease !== undefined && now.prerelease === undefined) continue
    if (compareDockerVersions(v, now) <= 0) continue
    if (!withinBound(now, v, policy.kind)) continue
    if (!best || compareDockerVersions(v, best.version) > 0) best = { tag, version: v }
  }
  if (!best) return { kind: 'none', reason: `no tag newer than ${current} within ${policy.kind}` }
  return { kind: 'newer', tag: best.tag, from: current }
}

export class TagPolicyError extends Error {
  override readonly name = 'TagPolicyError'
  readonly code = 'WT_UPDATER_TAG_POLICY' as const
}

function regex(text: string, what: string): RegExp {
  try {
    return new RegExp(text)
  } catch (cause) {
    throw new TagPolicyError(`${what}: not a regular expression: ${(cause as Error).message}`, { cause })
  }
}

/** Reads a policy as written in a label or flag; `where` names it in errors (label, flag, container). */
export function parseTagPolicy(
  spec: { policy?: string; include?: string; exclude?: string; transform?: string },
  where: string,
): TagPolicy {
  const kind = (spec.policy ?? 'digest').trim().toLowerCase()
  if (kind !== 'digest' && kind !== 'semver:patch' && kind !== 'semver:minor' && kind !== 'semver:major') {
    throw new TagPolicyError(
      `${where}: tag policy "${spec.policy}" is not one of digest, semver:patch, semver:minor, semver:major`,
    )
  }
  const policy: TagPolicy = { kind }
  if (spec.include) policy.include = regex(spec.include, `${where}: tag-include`)
  if (spec.exclude) policy.exclude = regex(spec.exclude, `${where}: tag-exclude`)
  if (spec.transform) {
    const [left, right, ...more] = spec.transform.split('=>')
    if (right === undefined || more.length > 0 || !left!.trim()) {
      throw new TagPolicyError(
        `${where}: tag-transform must read "REGEX => REPLACEMENT" (e.g. "^(\\d+)-(\\d+)$ => $1.$2")`,
      )
    }
    policy.transform = { pattern: regex(left!.trim(), `${where}: tag-transform`), replacement: right.trim() }
  }
  return policy
}
