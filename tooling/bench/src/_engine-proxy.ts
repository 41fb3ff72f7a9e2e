/**
 * The engine's side of a run: a unix-socket proxy in front of the Docker socket that forwards
 * every request unchanged and counts them per endpoint (`GET /containers/{id}/json`, …), so the
 * bench reports what the engine received, not what a client says it sent.
 */

import { rm } from 'node:fs/promises'
import { Agent, createServer, request, type Server } from 'node:http'

/** Requests per endpoint (`METHOD /path` with the API version and names/ids replaced). */
export type EngineCounts = Record<string, number>

export interface EngineProxy {
  /** The proxy's socket (use `unix://${socketPath}` as DOCKER_HOST). */
  socketPath: string
  /** Counts since the last `reset()`. */
  counts(): EngineCounts
  reset(): void
  close(): Promise<void>
}

/**
 * `GET /v1.41/containers/3f2a…/json?size=false` → `GET /containers/{id}/json`. Image names may
 * hold slashes and a registry port: `/images/127.0.0.1:5000/a/b:latest/json` → `/images/{name}/json`.
 */
export function endpointOf(method: string, url: string): string {
  let path = url.split('?')[0] ?? url
  path = path.replace(/^\/v\d+\.\d+(?=\/)/, '')
  const rules: [RegExp, string][] = [
    [/^\/containers\/(?!json$|create$|prune$)[^/]+/, '/containers/{id}'],
    [
      /^\/images\/(?!json$|create$|prune$|search$|load$|get$)(.+?)(\/(json|history|push|tag|get))?$/,
      '/images/{name}$2',
    ],
    [/^\/exec\/[^/]+/, '/exec/{id}'],
    [/^\/networks\/(?!create$|prune$)[^/]+/, '/networks/{id}'],
    [/^\/services\/(?!create$)[^/]+/, '/services/{id}'],
    [/^\/tasks\/[^/]+/, '/tasks/{id}'],
  ]
  for (const [re, to] of rules) {
    if (re.test(path)) {
      path = path.replace(re, to)
      break
    }
  }
  return `${method} ${path}`
}

/** Starts the proxy on `socketPath`, forwarding to the engine's socket `target`. */
export async function startEngineProxy(target: string, socketPath: string): Promise<EngineProxy> {
  await rm(socketPath, { force: true })
  let counts: EngineCounts = {}
  const agent = new Agent({ keepAlive: true })
  const server: Server = createServer((req, res) => {
    const key = endpointOf(req.method ?? 'GET', req.url ?? '/')
    counts[key] = (counts[key] ?? 0) + 1
    const upstream = request(
      { agent, socketPath: target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
        answer.pipe(res)
      },
    )
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`engine proxy: ${err.message}`)
    })
    req.pipe(upstream)
  })
  // Hijacked connections (attach, exec start with a TTY) are not needed by a check cycle.
  server.on('upgrade', (_req, socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socketPath, () => resolve())
  })
  return {
    socketPath,
    counts: () => ({ ...counts }),
    reset() {
      counts = {}
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      agent.destroy()
      await rm(socketPath, { force: true })
    },
  }
}

/** What a check cycle asks the engine, grouped as the floor is stated. */
export interface EngineCallSummary {
  lists: number
  containerInspects: number
  imageInspects: number
  /** version, info, _ping, … */
  other: number
  total: number
}

export function summarizeEngine(counts: EngineCounts): EngineCallSummary {
  const s: EngineCallSummary = { lists: 0, containerInspects: 0, imageInspects: 0, other: 0, total: 0 }
  for (const [key, n] of Object.entries(counts)) {
    s.total += n
    if (key === 'GET /containers/json') s.lists += n
    else if (key === 'GET /containers/{id}/json') s.containerInspects += n
    else if (key === 'GET /images/{name}/json') s.imageInspects += n
    else s.other += n
  }
  return s
}
