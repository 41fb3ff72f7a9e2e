import type { Dispatcher } from 'undici'
import type { TlsExplanation } from './explain.ts'

/** A certificate as read from a PEM file (dates as ISO strings, so it prints and serializes). */
export interface CertInfo {
  /** 1-based position in its file. */
  index: number
  /** One line, e.g. `CN=My Registry CA, O=Example`. */
  subject: string
  issuer: string
  validFrom: string
  validTo: string
  fingerprint256: string
  /** basicConstraints CA:TRUE. */
  ca: boolean
  selfSigned: boolean
}

/** A file read as bytes (or text). */
export type ReadFile = (path: string) => Promise<Buffer | string>
/** A directory's entry names. */
export type ReadDir = (path: string) => Promise<string[]>

export interface TrustOptions {
  /**
   * A PEM bundle of one or more CA certificates (`--registry-ca` / `WATCHTOWER_REGISTRY_CA`),
   * merged with the system roots for every registry. Read once by `createTrustStore`.
   */
  caFile?: string
  /**
   * Per-registry folders read the way dockerd does: `<dir>/<host[:port]>/*.crt` are CAs added to the
   * roots, `*.cert` + `*.key` (same base name) is a client certificate.
   * @default ['/etc/docker/certs.d']
   */
  certsDirs?: readonly string[]
  /**
   * `--insecure-registry HOST[:PORT]` (repeatable): TLS **without verification**, and plain HTTP allowed.
   * An entry without a port matches the host on any port.
   * @default []
   */
  insecureRegistries?: readonly string[]
  /** @default fs.promises.readFile */
  readFile?: ReadFile
  /** @default fs.promises.readdir */
  readdir?: ReadDir
  /** Used for validity warnings in `describe()`. @default Date.now */
  now?: () => number
  /**
   * System CA bundle files merged with Node's bundled roots; missing ones are skipped.
   * @default ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem']
   */
  systemBundlePaths?: readonly string[]
  /** The bundled roots. @default tls.rootCertificates */
  rootCertificates?: readonly string[]
  /**
   * Resolves `localhost` / `*.localhost` names, which count as loopback (plain HTTP allowed) only
   * when every address they resolve to is loopback. @default dns.lookup(name, { all: true })
   */
  lookup?: (hostname: string) => Promise<readonly { address: string }[]>
  /** undici Agent tuning. @default { keepAliveTimeout: 30_000, connectTimeout: 10_000 } */
  agent?: { keepAliveTimeout?: number; connectTimeout?: number; connections?: number }
}

export interface RegistryTransport {
  /** Normalized `host[:port]` this transport is for. */
  host: string
  /** undici Agent for this host: keep-alive, CA (system + --registry-ca + certs.d *.crt), client certificate. */
  dispatcher: Dispatcher
  /**
   * Plain HTTP may be tried after HTTPS fails (like dockerd): only for loopback hosts
   * (127.0.0.0/8, ::1, and `localhost` names that resolve only to loopback) and listed insecure registries.
   */
  allowHttp: boolean
  /** Server certificates are verified (false only for listed insecure registries). */
  verify: boolean
}

export type TrustSourceKind = 'system' | 'ca-file' | 'certs.d' | 'client-certificate' | 'insecure' | 'http'

export interface TrustSource {
  kind: TrustSourceKind
  /** One line for humans, e.g. `--registry-ca /certs/ca.pem: CN=My CA (valid until 2030-01-01)`. */
  description: string
  file?: string
  /** Subjects of the certificates this source adds. */
  subjects?: string[]
}

export interface TrustDescription {
  host: string
  verify: boolean
  allowHttp: boolean
  /** Why plain HTTP is allowed. */
  httpReason?: 'loopback' | 'insecure-registry'
  sources: TrustSource[]
  /** E.g. a CA that expired, two client certificates in one folder. */
  warnings: string[]
}

export interface TrustStore {
  /** The transport for a registry or token host: `host[:port]` or a URL (its host is used). */
  transportFor(hostPort: string): Promise<RegistryTransport>
  /** Which trust sources apply to a host (for credcheck). */
  describe(hostPort: string): Promise<TrustDescription>
  /**
   * Plain words for a failed HTTPS request to this host (see `explainTlsError`), knowing whether a
   * client certificate was sent. Undefined when the error is not about TLS.
   */
  explain(hostPort: string, error: unknown): TlsExplanation | undefined
  /** Closes every Agent made so far. */
  close(): Promise<void>
}
