/**
 * The contract between the test bed and every test in the workspace.
 *
 * The global setup (`global-setup.ts`) brings the bed up once per `vitest run`
 * and hands a `Testbed` to tests with `provide('testbed', bed)`; a test reads it
 * with `inject('testbed')`. Everything in it is plain data (it crosses worker
 * boundaries); helpers in `index.ts` take it as their first argument.
 */

export type RegistryName = 'open' | 'basic' | 'token' | 'expired' | 'wronghost' | 'mtls'

export interface RegistryInfo {
  name: RegistryName
  /** `127.0.0.1:PORT`, exactly as written in an image reference. */
  host: string
  /** `http://127.0.0.1:PORT` (open) or `https://127.0.0.1:PORT`. */
  url: string
  tls: boolean
  /**
   * open: HTTP, no auth. basic: TLS (private CA) + htpasswd. token: TLS + bearer
   * tokens from the bed's token server. expired / wronghost: TLS with an expired
   * certificate / a certificate for another host, no auth. mtls: TLS that requires
   * a client certificate signed by the private CA, no auth.
   */
  auth: 'none' | 'basic' | 'token' | 'mtls'
  /** The registry's own request log (one line per request, distribution's format). */
  logFile: string
}

export interface UserInfo {
  username: string
  password: string
}

export interface TokenServerInfo {
  /** `https://127.0.0.1:PORT` (certificate from the private CA). */
  url: string
  /** The realm the token registry advertises: `${url}/token`. */
  realm: string
  service: string
  /** Admin API (no auth, loopback only): see `tokenLog`, `setTokenPolicy` in index.ts. */
  adminUrl: string
  /** `iss` of its JWTs. */
  issuer: string
  /** The self-signed certificate whose key signs the JWTs (sent as `x5c`, in the registry's rootcertbundle). */
  signingCert: string
}

export interface TlsMaterial {
  /** PEM files, all made at run time with openssl. */
  caCert: string
  caKey: string
  /** Server certificate for 127.0.0.1 / localhost, signed by the CA. */
  serverCert: string
  serverKey: string
  /** Signed by the CA, valid 2019-2020 only. */
  expiredCert: string
  expiredKey: string
  /** Signed by the CA, for `wrong.example.invalid` only. */
  wrongHostCert: string
  wrongHostKey: string
  /** A self-signed CA that expired in 2020 (for "expired CA file" cases). */
  expiredCaCert: string
  /** A client certificate + key signed by the CA (accepted by the mtls registry). */
  clientCert: string
  clientKey: string
  /** A PEM file that holds no certificate at all. */
  notPem: string
}

/**
 * A real forward proxy on loopback (Debian tinyproxy, BasicAuth required) and a registry reached
 * by host name: Go's proxy rules (and ours) never proxy `localhost` or a loopback IP literal, so the
 * names `registry.wt-proxy.test` and `token.wt-proxy.test` resolve to 127.0.0.1 through /etc/hosts
 * (the bed adds the line, `pnpm testbed down` removes it).
 */
export interface ProxyInfo {
  /** `http://127.0.0.1:PORT` (without credentials: the proxy answers 407). */
  url: string
  /** `http://USER:PASS@127.0.0.1:PORT`, the value for HTTPS_PROXY / HTTP_PROXY. Secret. */
  urlWithCredentials: string
  username: string
  password: string
  /** tinyproxy's own log: one `Request (file descriptor N): CONNECT host:port HTTP/1.1` line per request (see `proxyRequests`). */
  logFile: string
  /** `wt-proxy.test`: both names below are in it (for NO_PROXY=.wt-proxy.test). */
  domain: string
  /**
   * The `proxied` registry: token auth, TLS with the private CA (certs.d holds it under this host),
   * the same storage as `token` (push through `token`, read here). `host` is `registry.wt-proxy.test:PORT`.
   */
  registry: RegistryInfo
  /** The realm it advertises: `https://token.wt-proxy.test:PORT/token` (the bed's token server). */
  tokenRealm: string
}

/** One request tinyproxy received (parsed from its log). */
export interface ProxyRequestRecord {
  time: string
  /** `CONNECT` for tunnels (https), else the forwarded method. */
  method: string
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string
}

export interface PassStore {
  gnupgHome: string
  passwordStoreDir: string
  fingerprint: string
  /** Env to run `docker-credential-pass` / `docker login` with the bed's store. */
  env: Record<string, string>
}

export interface Testbed {
  /** Working folder of the bed (certs, configs, logs, registry data). */
  dir: string
  docker: {
    /** Value for DOCKER_HOST, e.g. `unix:///var/run/docker.sock`. */
    host: string
    socketPath: string
    /** True when the bed started this dockerd (false: a developer's engine answered). */
    startedByBed: boolean
    apiVersion: string
  }
  registries: Record<RegistryName, RegistryInfo>
  tokenServer: TokenServerInfo
  /**
   * alice: pull+push everywhere (password contains a `:`).
   * bob: pull+push on `bob/*` only (token registry); on basic, any repo.
   * The token registry gives anonymous pull on `public/*` only.
   */
  users: { alice: UserInfo; bob: UserInfo }
  tls: TlsMaterial
  /**
   * A DOCKER_CONFIG folder whose config.json holds alice's credentials (auths, base64) for the
   * basic and token registries. The engine trusts the private CA via /etc/docker/certs.d.
   */
  dockerConfigDir: string
  /** Local images built from busybox-static, differing in content; CMD exits at once on SIGTERM. */
  images: { v1: string; v2: string }
  pass: PassStore
  proxy: ProxyInfo
}

/** One request the token server received. */
export interface TokenRequestRecord {
  time: string
  method: 'GET' | 'POST'
  /** The client's User-Agent (`watchtower-ts`, `docker/20.10.24 …` for an engine's pull). */
  userAgent: string
  /** Username from Basic auth or the password grant; undefined for anonymous or refresh_token. */
  account?: string
  grantType?: 'password' | 'refresh_token'
  service?: string
  scopes: string[]
  status: number
  /** What the issued token grants (empty when refused). */
  granted: { type: string; name: string; actions: string[] }[]
}

/** Per-repository policy of the token server (matched by repository name prefix, longest wins). */
export interface TokenPolicy {
  repositoryPrefix: string
  /** Seconds; default 300. */
  expiresIn?: number
  /** Leave `expires_in` out of the response. */
  omitExpiresIn?: boolean
  /** Send `issued_at` this many seconds off the server clock. */
  issuedAtOffset?: number
  /** Answer with `access_token` only (no `token`). */
  accessTokenOnly?: boolean
  /** Answer every matching request with this HTTP status (e.g. 500, 503) and a JSON error. */
  failWith?: number
  /**
   * Answer the OAuth2 `refresh_token` POST with this status (404 or 405), as token servers without
   * the OAuth2 endpoint do; the client is expected to fall back to GET with Basic
   * `<user>:<refresh token>`, which this server accepts for a refresh token it issued.
   */
  postStatus?: 404 | 405
}

/** One request a registry received, parsed from its access log (see `registryRequests`). */
export interface RegistryRequestRecord {
  time: string
  method: string
  /** Path + query, e.g. `/v2/alice/app/manifests/v1`. */
  path: string
  status: number
  userAgent: string
}

/** A second dockerd in its own network namespace (its default bridge works there, nowhere else). */
export interface IsolatedEngine {
  /** `20`: Debian bookworm's docker.io 20.10 (API 1.41); `26`: Debian trixie's docker.io 26.1 (API 1.45). */
  kind: '20' | '26'
  /** DOCKER_HOST value: `unix:///…/docker.sock`. */
  host: string
  socketPath: string
  /** Network namespace name (`/var/run/netns/NAME`); processes run with `nsenter --net=…` see only it. */
  netns: string
  netnsPath: string
  dataRoot: string
  apiVersion: string
  /**
   * An open (HTTP) registry inside the namespace, on the same `127.0.0.1:PORT` as the bed's open
   * registry and serving the same storage: push with `pushImage(bed, { registry: 'open', … })`,
   * pull the same reference from the isolated engine.
   */
  registryHost: string
  /**
   * The same registry as seen from containers of this engine (any network with a route to the
   * namespace): `GATEWAY:PORT` on the engine's default bridge gateway (10.213.0.1). The engine
   * pulls from it as an insecure (HTTP) registry; push through `registryHost` (same storage).
   */
  registryBridgeHost: string
  /**
   * dockerd's own `--tlsverify` listener (the bed's CA and server certificate; clients need a
   * certificate of the bed's CA, e.g. `tls.clientCert`), reached from the host's loopback through
   * plain byte forwarders: `tcp://127.0.0.1:PORT`.
   */
  tlsHost: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: Testbed
  }
}
