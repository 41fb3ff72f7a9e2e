/** The registry every Docker Hub spelling normalizes to. */
export const DOCKER_HUB = 'docker.io'

/** Host[:port] Docker Hub's registry API is served from. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io'

/** The key `docker login` writes for Docker Hub, and the server URL credential helpers are asked for. */
export const DOCKER_HUB_LEGACY_KEY = 'https://index.docker.io/v1/'

/**
 * Every host name that means Docker Hub: the one list the reference parser, the credential
 * lookup and the registry client use. `index.docker.io` is distribution's legacy default domain,
 * `registry-1.docker.io` the API host, `registry.hub.docker.com` an older alias docker/cli still
 * accepts in config.json keys.
 */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
])

/** Normalizes a registry host as written in a reference or a key: Docker Hub aliases become `docker.io`. */
export function normalizeRegistryHost(host: string): string {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase()) ? DOCKER_HUB : host
}

/** True when `host` (already without scheme and path) names Docker Hub under any of its spellings. */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host.toLowerCase())
}
