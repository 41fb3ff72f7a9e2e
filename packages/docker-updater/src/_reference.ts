/** Just enough of distribution's reference rules to group images by repository. */
export interface ParsedImage {
  /** As written. */
  original: string
  /** `docker.io`, `127.0.0.1:5000`, ... */
  domain: string
  /** `library/nginx`, `team/app`. */
  path: string
  tag: string | undefined
  digest: string | undefined
  /** `sha256:<hex>` or a bare 64-hex image ID. */
  isImageId: boolean
}

const ID = /^(sha256:)?[0-9a-f]{64}$/

export function parseImage(input: string): ParsedImage {
  const original = input
  if (ID.test(input))
    return { original, domain: '', path: '', tag: undefined, digest: undefined, isImageId: true }
  let rest = input
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  const slash = rest.indexOf('/')
  const first = slash < 0 ? '' : rest.slice(0, slash)
  let domain = 'docker.io'
  let path = rest
  // distribution's splitDockerDomain: a first component with `.` or `:`, `localhost`, or an upper-case
  // letter (never a valid path component) is a registry host.
  if (
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  ) {
    domain = first
    path = rest.slice(slash + 1)
  }
  if (domain === 'index.docker.io' || domain === 'registry-1.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  return { original, domain, path, tag, digest, isImageId: false }
}

/** `docker.io/library/nginx` — the repository, without tag or digest. */
export function repositoryOf(image: ParsedImage): string {
  return `${image.domain}/${image.path}`
}

/** The RepoDigests (`repo@sha256:...`) that belong to the same repository as `image`. */
export function sameRepositoryDigests(image: ParsedImage, repoDigests: readonly string[]): string[] {
  const repo = repositoryOf(image)
  return repoDigests.filter((entry) => {
    const parsed = parseImage(entry)
    return !parsed.isImageId && parsed.digest !== undefined && repositoryOf(parsed) === repo
  })
}
