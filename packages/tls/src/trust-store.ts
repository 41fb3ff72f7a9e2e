import { readdir as fsReaddir, readFile as fsReadFile } from 'node:fs/promises'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { Agent, buildConnector, type Dispatcher } from 'undici'
import { certLabel, dedupe, dedupeKey } from './_pem.ts'
import { createProxyAgent, ProxyRoutingDispatcher } from './_proxy-dispatcher.ts'
import { type CaBundle, readCaBundle } from './ca-bundle.ts'
import { type CertsDirEntry, DEFAULT_CERTS_DIRS, readCertsDir } from './certs-d.ts'
import { TlsError } from './errors.ts'
import { explainTlsError } from './explain.ts'
import { matchesHostList, normalizeHostPort, resolvesToLoopback } from './host.ts'
import { createProxyRules, type ProxyDecision } from './proxy.ts'
import { loadSystemRoots } from './system-roots.ts'
import type { RegistryTransport, TrustDescription, TrustOptions, TrustSource, TrustStore } from './types.ts'

/** What `createSecureContext` returns underneath: the native context (public since Node 0.x). */
interface NativeContext {
  context?: { addCACert?: (pem: string) => void }
}

/**
 * A SecureContext trusting `ca` (Node's roots, the system bundle, --registry-ca, certs.d). Node's
 * own roots are not handed over again: the context starts from Node's default store, kept parsed
 * once per process, and only the other certificates are parsed (about 1 ms instead of 20 ms for
 * 260 roots, on every registry host). With `nodeRoots` undefined (the bundled roots were replaced,
 * in tests) or no native addCACert, the whole list goes in as `ca`.
 */
export function secureContextTrusting(
  ca: readonly string[],
  nodeRoots: ReadonlySet<string> | undefined,
  client?: { cert: string | Buffer; key: string | Buffer },
): SecureContext {
  const own = client ? { cert: client.cert, key: client.key } : {}
  if (nodeRoots) {
    const ctx = createSecureContext(own)
    const native = (ctx as NativeContext).context
    if (typeof native?.addCACert === 'function') {
      for (const pem of ca) if (!nodeRoots.has(dedupeKey(pem))) native.addCACert(pem)
      return ctx
    }
  }
  return createSecureContext({ ca: [...ca], ...own })
}

interface HostTrust {
  host: string
  verify: boolean
  allowHttp: boolean
  httpReason: 'loopback' | 'insecure-registry' | undefined
  certsD: CertsDirEntry[]
}

/**
 * Builds the registry trust: system roots + `caFile` for every host, plus certs.d per host; one
 * undici Agent per host. Throws a `TlsError` naming the file when `caFile` cannot be read, holds no
 * certificate or holds one that does not parse, and for a malformed `insecureRegistries` entry.
 * certs.d folders are read on a host's first use (errors then come from `transportFor`/`describe`).
 *
 * Verification is never turned off implicitly: only hosts in `insecureRegistries` get `verify: false`.
 */
export async function createTrustStore(options: TrustOptions = {}): Promise<TrustStore> {
  const readFile = options.readFile ?? fsReadFile
  const readdir = options.readdir ?? ((p: string) => fsReaddir(p))
  const now = options.now ?? Date.now
  const certsDirs = options.certsDirs ?? DEFAULT_CERTS_DIRS
  const insecure = (options.insecureRegistries ?? []).map((h) => normalizeHostPort(h, '--insecure-registry'))
  const agentOptions = { keepAliveTimeout: 30_000, connectTimeout: 10_000, ...options.agent }
  const proxyRules = createProxyRules(options.proxy)
  const proxyFor = (host: string): { https: ProxyDecision; http: ProxyDecision } => ({
    https: proxyRules.decide(`https://${host}/`),
    http: proxyRules.decide(`http://${host}/`),
  })

  const system = await loadSystemRoots({
    readFile,
    ...(options.rootCertificates ? { rootCertificates: options.rootCertificates } : {}),
    ...(options.systemBundlePaths ? { systemBundlePaths: options.systemBundlePaths } : {}),
  })
  const caBundle: CaBundle | undefined =
    options.caFile === undefined ? undefined : await readCaBundle(options.caFile, { readFile })
  const baseCa = dedupe([...system.pems, ...(caBundle?.pems ?? [])])
  // Node's bundled roots are already in its default store: contexts start from it (see secureContextTrusting).
  const nodeRoots = options.rootCertificates ? undefined : new Set(rootCertificates.map(dedupeKey))

  const trusts = new Map<string, Promise<HostTrust>>()
  const trustsDone = new Map<string, HostTrust>()
  const transports = new Map<string, Promise<RegistryTransport>>()
  const agents: Dispatcher[] = []
  let baseContext: SecureContext | undefined
  let closed = false

  function trustFor(input: string): Promise<HostTrust> {
    if (closed) return Promise.reject(new TlsError('WT_TLS_CLOSED', 'the trust store is closed'))
    let host: string
    try {
      host = normalizeHostPort(input)
    } catch (error) {
      return Promise.reject(error)
    }
    let trust = trusts.get(host)
    if (trust === undefined) {
      trust = (async () => {
        const certsD: CertsDirEntry[] = []
        for (const dir of certsDirs) {
          const entry = await readCertsDir(dir, host, { readFile, readdir })
          if (entry !== undefined) certsD.push(entry)
        }
        const listed = matchesHostList(host, insecure)
        const loopback = await resolvesToLoopback(host, options.lookup)
        const httpReason = listed ? 'insecure-registry' : loopback ? 'loopback' : undefined
        return { host, verify: !listed, allowHttp: httpReason !== undefined, httpReason, certsD } as HostTrust
      })()
      trusts.set(host, trust)
      trust.then((t) => trustsDone.set(host, t)).catch(() => {})
      // A broken certs.d folder is re-read on the next call, so fixing it needs no restart.
      trust.catch(() => trusts.delete(host))
    }
    return trust
  }

  return {
    transportFor(input) {
      return trustFor(input).then((trust) => {
        let transport = transports.get(trust.host)
        if (transport === undefined) {
          const cas = trust.certsD.flatMap((d) => d.cas.flatMap((c) => c.pems))
          const client = trust.certsD.flatMap((d) => d.clients)[0]
          // One SecureContext per host: the ~150 roots are parsed once, not on every connection, and
          // the connector function keeps the client key in closures, out of util.inspect(agent).
          let secureContext: SecureContext
          try {
            secureContext = secureContextTrusting(
              cas.length === 0 ? baseCa : dedupe([...baseCa, ...cas]),
              nodeRoots,
              client,
            )
          } catch (cause) {
            throw new TlsError(
              'WT_TLS_CLIENT_CERT_INVALID',
              `the client certificate ${client?.certFile} and key ${client?.keyFile} cannot be used: ${(cause as Error).message}`,
              { cause, ...(client ? { file: client.certFile } : {}) },
            )
          }
          const connect = buildConnector({
            secureContext,
            rejectUnauthorized: trust.verify,
            timeout: agentOptions.connectTimeout,
          })
          const { connectTimeout: _unused, ...rest } = agentOptions
          const agent = new Agent({ ...rest, connect })
          const route = proxyFor(trust.host)
          let dispatcher: Dispatcher = agent
          if (route.https.proxy !== undefined || route.http.proxy !== undefined) {
            // The proxy itself is verified with the system roots and --registry-ca (never certs.d
            // of the registry); the registry's TLS runs inside the CONNECT tunnel with its own trust.
            baseContext ??= secureContextTrusting(baseCa, nodeRoots)
            const proxyTls = { secureContext: baseContext, timeout: agentOptions.connectTimeout }
            const requestTls = {
              secureContext,
              rejectUnauthorized: trust.verify,
              timeout: agentOptions.connectTimeout,
            }
            dispatcher = new ProxyRoutingDispatcher({
              direct: agent,
              ...(route.https.proxy
                ? { https: createProxyAgent(route.https.proxy, { ...rest, proxyTls, requestTls }) }
                : {}),
              ...(route.http.proxy
                ? {
                    http: createProxyAgent(route.http.proxy, {
                      ...rest,
                      proxyTls,
                      requestTls,
                      proxyTunnel: false,
                    }),
                  }
                : {}),
            })
          }
          agents.push(dispatcher)
          transport = Promise.resolve({
            host: trust.host,
            dispatcher,
            allowHttp: trust.allowHttp,
            verify: trust.verify,
            proxy: { https: route.https.reason, http: route.http.reason },
          })
          transports.set(trust.host, transport)
        }
        return transport
      })
    },

    async describe(input) {
      const trust = await trustFor(input)
      const sources: TrustSource[] = [
        {
          kind: 'system',
          description: `system roots: ${system.sources.join(' + ')} = ${system.pems.length} distinct`,
        },
      ]
      const warnings: string[] = []
      const at = now()
      const validity = (validTo: string) => {
        const to = Date.parse(validTo)
        return at >= to ? `EXPIRED ${validTo}` : `valid until ${validTo.slice(0, 10)}`
      }
      if (caBundle !== undefined) {
        sources.push({
          kind: 'ca-file',
          file: caBundle.file,
          subjects: caBundle.certificates.map((c) => c.subject),
          description: `--registry-ca ${caBundle.file}: ${caBundle.certificates.map((c) => `${c.subject} (${validity(c.validTo)})`).join('; ')}`,
        })
      }
      for (const entry of trust.certsD) {
        for (const ca of entry.cas) {
          sources.push({
            kind: 'certs.d',
            file: ca.file,
            subjects: ca.certificates.map((c) => c.subject),
            description: `certs.d CA ${ca.file}: ${ca.certificates.map((c) => `${c.subject} (${validity(c.validTo)})`).join('; ')}`,
          })
        }
      }
      const clients = trust.certsD.flatMap((d) => d.clients)
      for (const [i, client] of clients.entries()) {
        const leaf = client.certificates[0]
        if (i === 0) {
          sources.push({
            kind: 'client-certificate',
            file: client.certFile,
            subjects: client.certificates.map((c) => c.subject),
            description: `client certificate ${client.certFile} + ${client.keyFile}: ${leaf?.subject ?? '?'} (${leaf ? validity(leaf.validTo) : '?'})`,
          })
        } else {
          warnings.push(
            `client certificate ${client.certFile} is ignored: only the first one (${clients[0]!.certFile}) is sent`,
          )
        }
      }
      for (const cert of [
        ...(caBundle?.certificates ?? []).map((c) => ({ c, file: caBundle!.file })),
        ...trust.certsD.flatMap((d) =>
          d.cas.flatMap((ca) => ca.certificates.map((c) => ({ c, file: ca.file }))),
        ),
        ...clients.flatMap((cl) => cl.certificates.map((c) => ({ c, file: cl.certFile }))),
      ]) {
        if (at >= Date.parse(cert.c.validTo))
          warnings.push(`certificate ${certLabel(cert.c)} in ${cert.file} has expired (${cert.c.validTo})`)
      }
      if (!trust.verify) {
        sources.push({
          kind: 'insecure',
          description: `--insecure-registry: ${trust.host} is listed, so its certificate is NOT verified`,
        })
      }
      if (trust.allowHttp) {
        sources.push({
          kind: 'http',
          description:
            trust.httpReason === 'loopback'
              ? `plain HTTP allowed after HTTPS fails: ${trust.host} is a loopback address`
              : `plain HTTP allowed after HTTPS fails: ${trust.host} is listed with --insecure-registry`,
        })
      }
      if (proxyRules.enabled) {
        const route = proxyFor(trust.host)
        sources.push({
          kind: 'proxy',
          description: `proxy: https://${trust.host} ${route.https.reason}; http://${trust.host} ${route.http.reason}`,
        })
      }
      return {
        host: trust.host,
        verify: trust.verify,
        allowHttp: trust.allowHttp,
        ...(trust.httpReason ? { httpReason: trust.httpReason } : {}),
        sources,
        warnings,
      }
    },

    explain(input, error) {
      let h: string
      try {
        h = normalizeHostPort(input)
      } catch {
        return explainTlsError(error)
      }
      const client = trustsDone.get(h)?.certsD.flatMap((d) => d.clients)[0]
      return explainTlsError(error, {
        host: h,
        https: true,
        ...(certsDirs[0] === undefined ? {} : { certsDir: certsDirs[0] }),
        ...(client ? { clientCertificate: client.certFile } : {}),
      })
    },

    async close() {
      closed = true
      const all = agents.splice(0)
      transports.clear()
      trusts.clear()
      await Promise.all(all.map((a) => a.close()))
    },
  }
}

/** Lines for credcheck: one per trust source, then warnings. */
export function formatTrustDescription(d: TrustDescription): string[] {
  return [
    `TLS trust for ${d.host}: verification ${d.verify ? 'on' : 'OFF'}, plain HTTP ${d.allowHttp ? `allowed (${d.httpReason})` : 'never'}`,
    ...d.sources.map((s) => `  - ${s.description}`),
    ...d.warnings.map((w) => `  ! ${w}`),
  ]
}
