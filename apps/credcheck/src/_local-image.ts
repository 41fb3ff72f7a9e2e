import http from 'node:http'
import { BODY_LIMITS, parseRepoDigest, readBoundedBody } from '@watchtower-ts/registry-client'
import type { ProbeState } from './_state.ts'
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

/** The engine's image JSON, read by the bounded reader (4 MiB, the whole exchange within `timeoutMs`). */
function inspectImage(env: NodeJS.ProcessEnv, name: string, timeoutMs: number): Promise<ImageInspect | null> {
  const target = engineTarget(env)
  const signal = AbortSignal.timeout(timeoutMs)
  const path = `/images/${encodeURIComponent(name)}/json`
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
        path,
        method: 'GET',
        signal,
      },
      (res) => {
        readBoundedBody(res, {
          url: new URL(`http://docker${path}`),
          maxBytes: BODY_LIMITS.manifest,
          signal,
          timeoutMs,
        }).then((body) => {
          if (res.statusCode === 404) return resolve(null)
          if (res.statusCode !== 200) return reject(new Error(`engine answered ${res.statusCode}`))
          try {
            resolve(JSON.parse(body.toString('utf8')) as ImageInspect)
          } catch {
            reject(new Error('engine answered with JSON that does not parse'))
          }
        }, reject)
      },
    )
    req.on('error', (error) => reject(signal.aborted ? new Error('engine did not answer in time') : error))
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
