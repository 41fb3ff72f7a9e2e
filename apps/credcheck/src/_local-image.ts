import http from 'node:http'
import { parseRepoDigest } from '@watchtower-ts/registry-client'
import type { ProbeState } from './http-probe.ts'
import type { StepOutcome } from './probe.ts'

interface ImageInspect {
  Id?: string
  RepoTags?: string[] | null
  RepoDigests?: string[] | null
}

/** `DOCKER_HOST` (unix:// or tcp://, default the local socket) → node:http target. */
export function engineTarget(env: NodeJS.ProcessEnv): {
  socketPath?: string
  host?: string
  port?: number
  label: string
} {
  const raw = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock'
  if (raw.startsWith('unix://')) return { socketPath: raw.slice('unix://'.length), label: raw }
  const url = new URL(raw.replace(/^tcp:/, 'http:'))
  return { host: url.hostname, port: Number(url.port || 2375), label: raw }
}

function inspectImage(env: NodeJS.ProcessEnv, name: string, timeoutMs: number): Promise<ImageInspect | null> {
  const target = engineTarget(env)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
        path: `/images/${encodeURIComponent(name)}/json`,
        method: 'GET',
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          if (res.statusCode === 404) return resolve(null)
          if (res.statusCode !== 200) return reject(new Error(`engine answered ${res.statusCode}`))
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImageInspect)
          } catch (error) {
            reject(error)
          }
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error('engine did not answer in time')))
    req.on('error', reject)
    req.end()
  })
}

/** Step 8: compare the local image's RepoDigests with the remote digest, when an engine answers. */
export async function checkLocalImage(state: ProbeState): Promise<StepOutcome> {
  const ref = state.ref!
  const remote = state.remote!
  const env = state.options.env
  const label = engineTarget(env).label
  let image: ImageInspect | null
  try {
    image = await inspectImage(env, ref.original, Math.min(state.options.timeoutMs, 5000))
  } catch (error) {
    return {
      status: 'skipped',
      summary: `no Docker engine answered at ${label}: local comparison skipped`,
      details: { engine: label, status: 'no-engine', localDigests: null, remoteDigest: remote.digest },
      notes: [`engine error: ${error instanceof Error ? error.message : String(error)}`],
    }
  }
  if (!image) {
    return {
      status: 'skipped',
      summary: `no local image ${ref.original} on ${label}: nothing to compare`,
      details: { engine: label, status: 'no-local-image', localDigests: null, remoteDigest: remote.digest },
    }
  }
  const mine = (image.RepoDigests ?? [])
    .map((e) => parseRepoDigest(e))
    .filter((d): d is { name: string; digest: string } => d !== undefined && d.name === ref.name)
    .map((d) => d.digest)
  const remoteSet = new Set([remote.digest, ...remote.childDigests])
  const matched = mine.find((d) => remoteSet.has(d))
  const details = {
    engine: label,
    imageId: image.Id ?? null,
    localDigests: mine,
    remoteDigest: remote.digest,
    status: matched ? 'up-to-date' : 'update-available',
  }
  if (ref.digest) {
    return {
      status: 'ok',
      summary: `local image pinned by digest ${ref.digest}: ${matched ? 'present' : 'differs'}; pinned images are never updated`,
      details: { ...details, status: matched ? 'up-to-date' : 'pinned' },
    }
  }
  if (matched) return { status: 'ok', summary: `up to date: local ${matched} matches the registry`, details }
  return {
    status: 'ok',
    summary:
      mine.length === 0
        ? `update available (the local image has no digest from ${ref.name}: it was built or loaded here, never pulled)`
        : `update available: local ${mine.join(', ')} ≠ remote ${remote.digest}`,
    details,
  }
}
