import { UpdaterError } from './errors.ts'

/** Where and how to reach the engine, derived from DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH. */
export type DockerConnection =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: false }
  | { kind: 'tcp'; host: string; port: number; tls: true; certPath: string }
  /** `ssh://[user@]host[:port]`: the engine is reached by `docker system dial-stdio` on the host (as the docker CLI does). */
  | { kind: 'ssh'; host: string; port: number; username: string }

const DEFAULT_SOCKET = '/var/run/docker.sock'

/**
 * Parses a DOCKER_HOST value the way the docker CLI does: `unix:///path`, `tcp://host:port`
 * (or bare `host:port`); TLS when `DOCKER_TLS_VERIFY` is non-empty, with `ca.pem`, `cert.pem`,
 * `key.pem` from `DOCKER_CERT_PATH` (default `~/.docker`).
 */
export function parseDockerHost(
  host: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): DockerConnection {
  const value = (host ?? env.DOCKER_HOST ?? '').trim()
  if (value === '') return { kind: 'unix', socketPath: DEFAULT_SOCKET }
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length)
    return { kind: 'unix', socketPath: socketPath === '' ? DEFAULT_SOCKET : socketPath }
  }
  const withScheme = value.includes('://') ? value : `tcp://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch (cause) {
    throw invalid(value, 'is not a URL', cause)
  }
  if (url.protocol === 'ssh:') {
    if (url.hostname === '') throw invalid(value, 'has no host')
    if (url.password !== '') throw invalid(value.replace(/:[^:@/]*@/, ':***@'), 'has a password (use a key)')
    if (url.pathname !== '' && url.pathname !== '/')
      throw invalid(value, 'has a path (not supported over ssh)')
    return {
      kind: 'ssh',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? 22 : Number(url.port),
      username: decodeURIComponent(url.username) || (env.USER ?? 'root'),
    }
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(
      value,
      `uses the unsupported scheme "${url.protocol.replace(/:$/, '')}" (use unix://, tcp:// or ssh://)`,
    )
  }
  if (url.hostname === '') throw invalid(value, 'has no host')
  const tls = (env.DOCKER_TLS_VERIFY ?? '') !== '' || url.protocol === 'https:'
  const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port)
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (!tls) return { kind: 'tcp', host: hostname, port, tls: false }
  const home = env.HOME ?? '/root'
  const certPath =
    env.DOCKER_CERT_PATH !== undefined && env.DOCKER_CERT_PATH !== ''
      ? env.DOCKER_CERT_PATH
      : `${home}/.docker`
  return { kind: 'tcp', host: hostname, port, tls: true, certPath }
}

function invalid(value: string, what: string, cause?: unknown): UpdaterError {
  return new UpdaterError('WT_UPDATER_DOCKER_HOST_INVALID', `DOCKER_HOST "${value}" ${what}`, { cause })
}

/** Compares dotted API versions (`1.41` < `1.9` is false). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}
