/**
 * Upstream watchtower's registry traffic, replayed: for every container, one after another and
 * with nothing cached, ping `/v2/` for the challenge, fetch a token for that repository, then
 * HEAD the manifest (containrrr/watchtower pkg/registry/digest: GetDigest → GetToken → HEAD).
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { Agent, request } from 'node:https'

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function call(agent: Agent, url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

export interface ReplayTarget {
  /** `127.0.0.1:PORT` of the registry. */
  host: string
  repository: string
  tag: string
}

export interface ReplayOptions {
  caFile: string
  username: string
  password: string
  userAgent: string
}

/** Checks every target upstream's way; returns the digests seen. */
export async function replayUpstream(targets: readonly ReplayTarget[], o: ReplayOptions): Promise<string[]> {
  // Go's default transport keeps connections alive; so does this agent.
  const agent = new Agent({ keepAlive: true, ca: readFileSync(o.caFile) })
  const basic = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`
  const ua = { 'user-agent': o.userAgent }
  const digests: string[] = []
  try {
    for (const t of targets) {
      const ping = await call(agent, `https://${t.host}/v2/`, 'GET', ua)
      const challenge = String(ping.headers['www-authenticate'] ?? '')
      const realm = /realm="([^"]+)"/.exec(challenge)?.[1]
      const service = /service="([^"]+)"/.exec(challenge)?.[1]
      if (ping.status !== 401 || !realm)
        throw new Error(`ping ${t.host}: ${ping.status}, no bearer challenge`)
      const q = new URLSearchParams({ scope: `repository:${t.repository}:pull` })
      if (service) q.set('service', service)
      const tok = await call(agent, `${realm}?${q}`, 'GET', { ...ua, authorization: basic })
      if (tok.status !== 200) throw new Error(`token for ${t.repository}: ${tok.status}`)
      const { token, access_token } = JSON.parse(tok.body) as { token?: string; access_token?: string }
      const head = await call(agent, `https://${t.host}/v2/${t.repository}/manifests/${t.tag}`, 'HEAD', {
        ...ua,
        accept: ACCEPT,
        authorization: `Bearer ${token ?? access_token}`,
      })
      if (head.status !== 200) throw new Error(`HEAD ${t.repository}:${t.tag}: ${head.status}`)
      digests.push(String(head.headers['docker-content-digest']))
    }
  } finally {
    agent.destroy()
  }
  return digests
}

function engineGet<T>(socketPath: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath, path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d
      })
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`engine GET ${path}: ${res.statusCode} ${body}`))
        else resolve(JSON.parse(body) as T)
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * Upstream's engine side of a cycle: list the (scoped) containers, then inspect each container
 * and its image, one after another. Returns the image reference of each container.
 */
export async function listUpstream(socketPath: string, scopeLabel: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [scopeLabel] }))
  const list = await engineGet<{ Id: string }[]>(socketPath, `/containers/json?filters=${filters}`)
  const refs: string[] = []
  for (const c of list) {
    const info = await engineGet<{ Image: string; Config: { Image: string } }>(
      socketPath,
      `/containers/${c.Id}/json`,
    )
    await engineGet(socketPath, `/images/${info.Image}/json`)
    refs.push(info.Config.Image)
  }
  return refs
}
