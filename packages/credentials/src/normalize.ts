import { isIPv6 } from 'node:net'
import { DOCKER_HUB, DOCKER_HUB_LEGACY_KEY, isDockerHubHost } from '@watchtower-ts/image-reference'
import { CredentialsError } from './errors.ts'

// The one Docker Hub alias list lives in @watchtower-ts/image-reference; re-exported from index.ts.
export { DOCKER_HUB, DOCKER_HUB_LEGACY_KEY }

/**
 * Normalize a registry key the way Docker matches them: the scheme (`http://`, `https://`) and
 * any path are stripped (legacy config.json keys such as `https://index.docker.io/v1/`), the host is
 * lower-cased, and every Docker Hub spelling (`docker.io`, `index.docker.io`,
 * `registry-1.docker.io`, `registry.hub.docker.com`, with or without scheme/path) becomes
 * `docker.io`. Ports are kept: `localhost:5000`, `10.0.0.1:443`, `[::1]:5000`.
 *
 * @throws CredentialsError `WT_CREDENTIALS_INVALID_REGISTRY` when nothing host-like is left.
 */
export function normalizeRegistryKey(key: string): string {
  const host = _hostOf(key)
  if (host === undefined) {
    // never echo `user:password@` of a URL someone passed as a registry
    const shown = key.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1***@')
    throw new CredentialsError(
      'WT_CREDENTIALS_INVALID_REGISTRY',
      `invalid registry ${JSON.stringify(shown)}: expected a host such as "docker.io", "localhost:5000" or "https://index.docker.io/v1/"`,
      { registry: shown },
    )
  }
  return isDockerHubHost(host) ? DOCKER_HUB : host
}

/** Like {@link normalizeRegistryKey} but returns `undefined` instead of throwing. */
export function tryNormalizeRegistryKey(key: string): string | undefined {
  const host = _hostOf(key)
  if (host === undefined) return undefined
  return isDockerHubHost(host) ? DOCKER_HUB : host
}

/** True when the key names Docker Hub under any of its spellings. */
export function isDockerHub(key: string): boolean {
  return tryNormalizeRegistryKey(key) === DOCKER_HUB
}

/**
 * The server URL Docker sends to a credential helper and puts in `serveraddress`:
 * `https://index.docker.io/v1/` for Docker Hub, the bare host[:port] otherwise.
 */
export function serverUrlFor(registry: string): string {
  const host = normalizeRegistryKey(registry)
  return host === DOCKER_HUB ? DOCKER_HUB_LEGACY_KEY : host
}

// --- internal ---

const HOST_RE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::[0-9]{1,5})?$/

/**
 * The host of a config.json key or lookup, as docker/cli's `ConvertToHostname` finds it
 * (cli/config/credentials/file_store.go): with a scheme, the URL's host[:port], and when the URL
 * holds an unbracketed IPv6 address (`https://::1:6555/v2/`, which Go's URL parser refuses) the
 * last `:digits` is the port and the address is bracketed (`[::1]:6555`); without a scheme,
 * everything before the first `/`, so `::1` and `::1:6556` stay as written (`::1:6556` is itself a
 * full IPv6 address: no port is guessed). Lower-cased (host names are case-insensitive).
 */
function _hostOf(key: string): string | undefined {
  let rest = key.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest)
  if (scheme) rest = rest.slice(scheme[0].length)
  const slash = rest.indexOf('/')
  if (slash !== -1) rest = rest.slice(0, slash)
  // user-info is never part of a registry key; refuse rather than guess
  const host = rest.toLowerCase()
  if (HOST_RE.test(host)) return host
  if (!host.startsWith('[') && (host.match(/:/g) ?? []).length > 1) {
    if (scheme) {
      const last = host.lastIndexOf(':')
      const address = host.slice(0, last)
      const port = host.slice(last + 1)
      if (/^[0-9]{1,5}$/.test(port) && !address.endsWith(':') && isIPv6(address))
        return `[${address}]:${port}`
    }
    if (isIPv6(host)) return host
  }
  return undefined
}
