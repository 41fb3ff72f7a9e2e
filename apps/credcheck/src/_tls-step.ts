import { composeExchange, createExchange, ping, redirect } from '@watchtower-ts/registry-client'
import {
  createProxyRules,
  createTrustStore,
  type TrustDescription,
  validateCaBundle,
} from '@watchtower-ts/tls'
import { openTunnel, readPeerCertificate } from './_peer-cert.ts'
import type { ProbeState } from './_state.ts'
import { errorCodes, isTlsCertificateError, networkFailure, rawCause } from './explain.ts'
import { CheckFailure } from './failures.ts'
import type { StepOutcome } from './probe.ts'

const DAY = 86_400_000
/** How a server that wants a client certificate ends the connection (TLS 1.3 sends the alert after the handshake). */
const CLOSED_AFTER_HANDSHAKE = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
])

function caFileFailure(error: unknown, file: string): CheckFailure {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  const fix =
    code === 'WT_TLS_CA_EXPIRED'
      ? 'replace the file with the current CA certificate of the registry (ask its operator, or re-export it from the CA)'
      : code === 'WT_TLS_CA_UNREADABLE'
        ? 'pass the path of a readable PEM file holding the CA certificate(s) that signed the registry certificate'
        : 'pass a PEM file with at least one "-----BEGIN CERTIFICATE-----" block: the CA that signed the registry certificate'
  return new CheckFailure('WT_CREDCHECK_CA_FILE', `--registry-ca ${file}: ${message}`, fix, { cause: error })
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort)
  return { host: m?.[1] ?? hostPort, port: m?.[2] ? Number(m[2]) : 443 }
}

function trustLines(d: TrustDescription): string[] {
  return d.sources.filter((s) => s.kind !== 'proxy').map((s) => s.description)
}

/** ` via HTTPS_PROXY http://***@proxy:3128` when the route names a proxy, else nothing. */
function viaText(route: string): string {
  return route.startsWith('via ') ? ` ${route}` : ''
}

/** The proxy refused or failed the tunnel: say so, never with its credentials. */
function proxyFailure(error: unknown, proxyShown: string, hostPort: string): CheckFailure {
  const message = error instanceof Error ? error.message : String(error)
  const status = (error as { statusCode?: number }).statusCode
  return new CheckFailure(
    'WT_CREDCHECK_PROXY',
    `the proxy ${proxyShown} (HTTPS_PROXY) did not open a tunnel to ${hostPort}: ${message}`,
    status === 407 || status === 401
      ? 'the proxy wants other credentials: fix the user and password in HTTPS_PROXY (http://USER:PASS@proxy:PORT)'
      : `check that the proxy runs and may reach ${hostPort}, or list the registry in NO_PROXY to connect directly`,
    { cause: error },
  )
}

/**
 * Step 3: the trust sources that apply to the registry, the certificate it presents (read with
 * node:tls), and verification through the very dispatcher watchtower would use (a GET /v2/
 * whose answer step 4 reuses). A server that does not speak TLS is reached over plain HTTP when
 * the tls package allows it (loopback, --insecure-registry), like dockerd.
 */
export async function tlsStep(state: ProbeState): Promise<StepOutcome> {
  const { options } = state
  const ref = state.ref!
  const notes: string[] = []
  if (options.registryCa !== undefined) {
    try {
      const v = await validateCaBundle(options.registryCa, { now: options.now, what: '--registry-ca' })
      notes.push(...v.warnings)
    } catch (error) {
      throw caFileFailure(error, options.registryCa)
    }
  }
  try {
    state.trust = await createTrustStore({
      ...(options.registryCa !== undefined ? { caFile: options.registryCa } : {}),
      certsDirs: options.certsDirs,
      insecureRegistries: options.insecureRegistries,
      now: options.now,
      proxy: state.proxy,
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new CheckFailure(
      'WT_CREDCHECK_TLS',
      `the TLS settings cannot be loaded: ${message}`,
      'fix the file or flag the message names',
      { cause: error },
    )
  }
  const transport = await state.trust.transportFor(ref.apiHost)
  const description = await state.trust.describe(ref.apiHost)
  const trust = state.trust
  // registry-client's own exchange over the same dispatchers watchtower uses: redirects followed
  // under its rules, no retries (each step reports the first answer).
  state.send = composeExchange(
    createExchange({
      dispatcherFor: async (url) => (await trust.transportFor(url.host)).dispatcher,
      userAgent: options.userAgent ?? 'credcheck (watchtower-ts)',
      timeoutMs: options.timeoutMs,
    }),
    redirect(),
  )
  state.trustSources = trustLines(description)
  notes.push(...description.warnings)
  const { host, port } = splitHostPort(transport.host)
  const hostPort = `${host}:${port}`
  const netCtx = { who: `registry ${hostPort}`, hostPort, trust: state.trustSources, now: options.now() }
  // How requests to the registry travel (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, Go's rules).
  const route = createProxyRules(state.proxy).decide(`https://${transport.host}/`)
  const proxyDetails = {
    https: transport.proxy.https,
    http: transport.proxy.http,
    via: route.proxyShown ?? null,
  }
  if (route.proxy || state.proxy.httpsProxy || state.proxy.httpProxy)
    notes.push(`proxy: ${transport.proxy.https}`)
  let peer: Awaited<ReturnType<typeof readPeerCertificate>>
  try {
    const socket = route.proxy ? await openTunnel(route.proxy, host, port, options.timeoutMs) : undefined
    peer = await readPeerCertificate(host, port, options.timeoutMs, socket)
  } catch (error) {
    if (route.proxy) throw proxyFailure(error, route.proxyShown!, hostPort)
    throw networkFailure(error, netCtx)
  }
  const details: Record<string, unknown> = {
    host: hostPort,
    verify: transport.verify,
    allowHttp: transport.allowHttp,
    httpReason: description.httpReason ?? null,
    proxy: proxyDetails,
    trustSources: description.sources.map((s) => ({
      kind: s.kind,
      description: s.description,
      file: s.file ?? null,
    })),
  }
  if (peer.kind === 'not-tls') {
    if (!transport.allowHttp) {
      throw new CheckFailure(
        'WT_CREDCHECK_TLS',
        `registry ${hostPort} does not speak TLS (it looks like plain HTTP: ${peer.error.message})`,
        `if it really serves plain HTTP, list it with --insecure-registry ${transport.host} (loopback registries are allowed without it); otherwise check the port`,
        { cause: peer.error },
      )
    }
    state.base = new URL(`http://${transport.host}`)
    const creds = state.credentials
    if (creds && creds.kind !== 'anonymous') notes.push('credentials will travel unencrypted over plain HTTP')
    return {
      status: 'ok',
      summary: `plain HTTP, no TLS (allowed: ${description.httpReason ?? 'insecure registry'})${viaText(transport.proxy.http)}`,
      details: { ...details, scheme: 'http', certificate: null },
      notes,
    }
  }
  const cert = peer.certificate
  state.certificate = cert
  state.base = new URL(`https://${transport.host}`)
  try {
    state.ping = await ping(state.send, { registry: ref.registry, apiHost: transport.host, scheme: 'https' })
  } catch (failure) {
    const error = rawCause(failure)
    const hasClientCert = description.sources.some((s) => s.kind === 'client-certificate')
    const closed = errorCodes(error).some((c) => CLOSED_AFTER_HANDSHAKE.has(c))
    if (closed && !hasClientCert && !isTlsCertificateError(error)) {
      throw new CheckFailure(
        'WT_CREDCHECK_TLS_CLIENT_CERTIFICATE',
        `registry ${hostPort} closed the connection right after the TLS handshake (${errorCodes(error).join(', ')}): it most likely requires a client certificate, and none is configured for it`,
        `put the client certificate and key as client.cert + client.key in ${options.certsDirs[0] ?? '/etc/docker/certs.d'}/${transport.host}/`,
        { cause: error },
      )
    }
    throw networkFailure(error, { ...netCtx, certificate: cert })
  }
  const left = Math.floor((Date.parse(cert.validTo) - options.now()) / DAY)
  if (left < 30 && left >= 0)
    notes.push(`the server certificate expires in ${left} day${left === 1 ? '' : 's'} (${cert.validTo})`)
  notes.unshift(...state.trustSources.map((s) => `trust: ${s}`))
  return {
    status: left < 30 ? 'warning' : 'ok',
    summary: `https${viaText(transport.proxy.https)}, ${transport.verify ? 'certificate verified' : 'verification OFF (--insecure-registry)'}; subject ${cert.subject}, issuer ${cert.issuer}, expires ${cert.validTo}; trust: ${description.sources
      .filter((s) => s.kind !== 'proxy')
      .map((s) => s.kind)
      .join(', ')}`,
    details: { ...details, scheme: 'https', protocol: peer.protocol, certificate: cert },
    notes,
  }
}
