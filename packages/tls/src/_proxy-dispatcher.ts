import { Dispatcher, ProxyAgent } from 'undici'

/**
 * One dispatcher for one registry or token host that sends each request the way the proxy rules
 * chose for its scheme: `https://` through the HTTPS proxy (CONNECT tunnel, our TLS settings end to
 * end), `http://` through the HTTP proxy (absolute-form requests, as Go does), or direct.
 */
export class ProxyRoutingDispatcher extends Dispatcher {
  readonly #direct: Dispatcher
  readonly #https: Dispatcher | undefined
  readonly #http: Dispatcher | undefined

  constructor(routes: { direct: Dispatcher; https?: Dispatcher; http?: Dispatcher }) {
    super()
    this.#direct = routes.direct
    this.#https = routes.https
    this.#http = routes.http
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin ?? '')
    const route = origin.startsWith('https:')
      ? this.#https
      : origin.startsWith('http:')
        ? this.#http
        : undefined
    return (route ?? this.#direct).dispatch(options, handler)
  }

  #all(): Dispatcher[] {
    return [this.#direct, this.#https, this.#http].filter((d): d is Dispatcher => d !== undefined)
  }

  // biome-ignore lint/suspicious/noExplicitAny: undici's overloads (callback and promise forms)
  override close(...args: any[]): any {
    const done = Promise.all(this.#all().map((d) => d.close())).then(() => undefined)
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined
    if (cb) {
      done.then(cb, cb)
      return undefined
    }
    return done
  }

  // biome-ignore lint/suspicious/noExplicitAny: undici's overloads (callback and promise forms)
  override destroy(...args: any[]): any {
    const err = args.find((a) => a instanceof Error) as Error | undefined
    const done = Promise.all(this.#all().map((d) => d.destroy(err ?? null))).then(() => undefined)
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined
    if (cb) {
      done.then(cb, cb)
      return undefined
    }
    return done
  }

  /** Never show the routes (a ProxyAgent holds the Proxy-Authorization header). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'ProxyRoutingDispatcher {}'
  }
  toJSON(): Record<string, never> {
    return {}
  }
}

/**
 * A ProxyAgent for `proxy` whose credentials never sit in its URL: user-info moves to a
 * `Proxy-Authorization: Basic` token (undici keeps the URL it was given, and URLs get printed).
 */
export function createProxyAgent(
  proxy: URL,
  options: Omit<ProxyAgent.Options, 'uri' | 'token' | 'auth'>,
): ProxyAgent {
  const bare = new URL(proxy.href)
  bare.username = ''
  bare.password = ''
  const user = decodeURIComponent(proxy.username)
  const pass = decodeURIComponent(proxy.password)
  const token =
    proxy.username !== '' || proxy.password !== ''
      ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
      : undefined
  const agent = new ProxyAgent({ ...options, uri: bare.origin, ...(token ? { token } : {}) })
  Object.defineProperty(agent, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `ProxyAgent { uri: '${bare.origin}' }`,
  })
  return agent
}
