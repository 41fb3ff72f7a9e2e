import { DOCKER_HUB, DOCKER_HUB_API_HOST, normalizeRegistryHost } from './docker-hub.ts'
import { ImageReferenceError } from './errors.ts'

/**
 * Image references, parsed and normalized like distribution/reference (`ParseNormalizedNamed`).
 *
 * Grammar (distribution/reference `regexp.go`):
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path-component ["/" path-component]*
 *   domain     := host [":" port]          host := domain-name | "[" ipv6 "]"
 *   path-comp  := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [_.] | "__" | "-"+
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex{32,}
 * The first component is a registry host when it holds `.` or `:`, is `localhost`, or has an
 * uppercase letter; otherwise the image is on Docker Hub (`docker.io`, `library/` for one component).
 */
export interface ImageReference {
  /** The user's spelling, kept for display and for the engine. */
  original: string
  /** Normalized registry: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  registry: string
  /** Host[:port] the API is served from: `registry-1.docker.io` for Docker Hub, else `registry`. */
  apiHost: string
  /** Repository path on the registry: `library/nginx`. */
  repository: string
  /** Tag; `latest` when neither tag nor digest was given. */
  tag?: string
  /** True when no tag was written and `tag` is the implied `latest` (`nginx`, not `nginx:latest`). */
  defaultTag: boolean
  digest?: string
  /** True when a digest is given (`name@digest` or `name:tag@digest`): the digest wins, no update check. */
  pinned: boolean
  /** Normalized full name: `docker.io/library/nginx:latest`. */
  canonical: string
  /** `registry/repository` without tag or digest: `docker.io/library/nginx`. */
  name: string
}

const NAME_TOTAL_LENGTH_MAX = 255

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
)
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
const ANCHORED_HEX64 = /^[a-f0-9]{64}$/

function invalid(input: string, why: string): ImageReferenceError {
  return new ImageReferenceError('WT_REFERENCE_INVALID', `invalid image reference "${input}": ${why}`, {
    input,
  })
}

/** Parses and normalizes an image reference; throws `WT_REFERENCE_INVALID` saying what is wrong. */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.trim() === '') throw invalid(String(input), 'the reference is empty')
  const original = input
  if (input !== input.trim()) throw invalid(input, 'leading or trailing whitespace')

  let rest = input
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a digest (algorithm:hex)`)
    const [algorithm, hex] = digest.split(':') as [string, string]
    const want = DIGEST_HEX_LENGTH[algorithm]
    if (want === undefined) throw invalid(input, `unsupported digest algorithm "${algorithm}"`)
    if (hex.length !== want)
      throw invalid(input, `a ${algorithm} digest has ${want} hex characters, not ${hex.length}`)
    if (hex !== hex.toLowerCase()) throw invalid(input, 'digest hex must be lowercase')
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag))
      throw invalid(input, `"${tag}" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`)
  }
  if (rest === '') throw invalid(input, 'the repository name is missing')

  let domain: string | undefined
  let path = rest
  const slash = rest.indexOf('/')
  if (slash !== -1) {
    const first = rest.slice(0, slash)
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      domain = first
      path = rest.slice(slash + 1)
      if (!DOMAIN.test(domain)) throw invalid(input, `"${domain}" is not a valid registry host[:port]`)
    }
  }
  const components = path.split('/')
  const repoPath =
    (domain === undefined || normalizeRegistryHost(domain) === DOCKER_HUB) && components.length === 1
      ? `library/${path}`
      : path
  // distribution limits the path only (`library/` included), never the domain: `Parse` checks
  // len(path) > 255 after splitting the domain off.
  if (repoPath.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(
      input,
      `the repository path "${repoPath.slice(0, 40)}…" is ${repoPath.length} characters, longer than ${NAME_TOTAL_LENGTH_MAX} (the registry host does not count)`,
    )
  }
  for (const component of components) {
    if (component === '') throw invalid(input, 'empty path component (double or trailing "/")')
    if (!PATH_COMPONENT.test(component)) {
      const lower = component.toLowerCase()
      const why = PATH_COMPONENT.test(lower)
        ? 'repository name must be lowercase'
        : `"${component}" is not a valid path component (lowercase letters, digits, separators . _ __ -)`
      throw invalid(input, why)
    }
  }

  const registry = domain === undefined ? DOCKER_HUB : normalizeRegistryHost(domain)
  let repository = path
  if (registry === DOCKER_HUB && components.length === 1) repository = `library/${path}`
  if (domain === undefined && ANCHORED_HEX64.test(path)) {
    throw invalid(input, 'a 64-character hexadecimal string is an image ID, not a repository name')
  }
  const defaultTag = tag === undefined && digest === undefined
  if (defaultTag) tag = 'latest'

  const name = `${registry}/${repository}`
  const canonical = `${name}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`
  const ref: ImageReference = {
    original,
    registry,
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry,
    repository,
    defaultTag,
    pinned: digest !== undefined,
    canonical,
    name,
  }
  if (tag !== undefined) ref.tag = tag
  if (digest !== undefined) ref.digest = digest
  return ref
}

/** Like {@link parseReference} but `undefined` instead of an error. */
export function tryParseReference(input: string): ImageReference | undefined {
  try {
    return parseReference(input)
  } catch {
    return undefined
  }
}

const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{64}$/

/**
 * True for an image ID (`sha256:<hex>` or the bare 64-hex form) as the engine shows it in
 * `Config.Image` of a container created from an ID. `sha256:<hex>` would otherwise parse as the
 * Docker Hub repository `library/sha256` with a 64-character tag.
 */
export function isImageId(input: string): boolean {
  return IMAGE_ID.test(input)
}

/** Parses one `RepoDigests` entry (`repo@sha256:...`) into its normalized name and digest; undefined if malformed. */
export function parseRepoDigest(entry: string): { name: string; digest: string } | undefined {
  try {
    const ref = parseReference(entry)
    return ref.digest === undefined ? undefined : { name: ref.name, digest: ref.digest }
  } catch {
    return undefined
  }
}
