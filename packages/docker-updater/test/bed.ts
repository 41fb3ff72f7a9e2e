/** Test helpers over the real test bed (test code only, outside src/). */
import { request } from 'node:http'
import { buildImage as buildBedImage, dockerCli, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { inject } from 'vitest'
import { createDockerEngine } from '../src/dockerode-engine.ts'
import type { DockerEngine } from '../src/engine.ts'
import type { ImageChecker } from '../src/types.ts'

export const bed: Testbed = inject('testbed')
export { dockerCli, uniqueName }

export function realEngine(host = bed.docker.host): DockerEngine {
  return createDockerEngine({ host, env: {} })
}

/** docker CLI that throws on failure and returns trimmed stdout. */
export async function docker(args: readonly string[], host?: string): Promise<string> {
  const r = await dockerCli(bed, args, { reject: true, ...(host ? { host } : {}) })
  return r.stdout.trim()
}

export async function inspect(
  nameOrId: string,
  host?: string,
): Promise<Record<string, unknown> & InspectShape> {
  return JSON.parse(await docker(['inspect', nameOrId], host))[0]
}

export interface InspectShape {
  Id: string
  Name: string
  Image: string
  State: { Running: boolean; Status: string; Health?: { Status: string } }
  Config: Record<string, unknown> & {
    Image: string
    Labels: Record<string, string> | null
    Env: string[] | null
  }
  HostConfig: Record<string, unknown>
  NetworkSettings: { Networks: Record<string, Record<string, unknown>> }
}

/** Names of every container whose name starts with `prefix` (aside leftovers included). */
export async function containersNamed(prefix: string, host?: string): Promise<string[]> {
  const out = await docker(['ps', '-a', '--format', '{{.Names}}'], host)
  return out.split('\n').filter((n) => n.startsWith(prefix))
}

export async function removeContainers(prefix: string, host?: string): Promise<void> {
  const names = await containersNamed(prefix, host)
  if (names.length > 0) await dockerCli(bed, ['rm', '-f', '-v', ...names], host ? { host } : {})
}

/** Removes every image reference (tag or digest) whose repository contains `part` (test-made images only). */
export async function removeImages(part: string, host?: string): Promise<void> {
  const out = await docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}'], host)
  const refs: string[] = []
  for (const line of out.split('\n')) {
    const [repo = '', tag = '', digest = ''] = line.split(' ')
    if (!repo.includes(part)) continue
    if (tag !== '<none>') refs.push(`${repo}:${tag}`)
    else if (digest !== '<none>') refs.push(`${repo}@${digest}`)
  }
  if (refs.length > 0) await dockerCli(bed, ['rmi', ...new Set(refs)], host ? { host } : {})
}

/** A distinct image (own ID) built FROM the bed's v1/v2 with extra Dockerfile lines, tagged `tag`. */
export function buildImage(
  tag: string,
  variant: 'v1' | 'v2',
  lines: readonly string[] = [],
  host?: string,
): Promise<string> {
  return buildBedImage(bed, { tag, variant, lines, ...(host ? { host } : {}) })
}

export async function inspectImageId(ref: string, host?: string): Promise<string | undefined> {
  const r = await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', ref], host ? { host } : {})
  return r.code === 0 ? r.stdout.trim() : undefined
}

/** Builds, tags and pushes to the open registry; returns the ref and manifest digest. */
export async function pushBuilt(
  repository: string,
  tag: string,
  variant: 'v1' | 'v2',
  lines: readonly string[] = [],
) {
  const ref = `${bed.registries.open.host}/${repository}:${tag}`
  const id = await buildImage(ref, variant, lines)
  const out = await docker(['push', ref])
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1]
  if (!digest) throw new Error(`push of ${ref} printed no digest: ${out}`)
  return { ref, digest, id }
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

/**
 * A tiny ImageChecker for the bed's open registry (HEAD the manifest, compare with the local
 * RepoDigests). The real one is registry-client's; this one counts its calls.
 */
export function openRegistryChecker(): ImageChecker & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    async check(ref, localRepoDigests) {
      const imageRef = ref.original
      calls.push(imageRef)
      const m = /^([^/]+)\/(.+?)(?::([^:/@]+))?$/.exec(imageRef)
      if (!m) throw new Error(`test checker cannot parse ${imageRef}`)
      const [, host, path, tag = 'latest'] = m
      const r = await head(`http://${host}/v2/${path}/manifests/${tag}`)
      if (r.status !== 200) throw new Error(`HEAD ${imageRef}: ${r.status}`)
      const remoteDigest = r.digest
      const fresh = localRepoDigests.some((d) => d.endsWith(`@${remoteDigest}`))
      return { status: fresh ? 'fresh' : 'stale', remoteDigest }
    },
  }
}

function head(url: string): Promise<{ status: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'HEAD', headers: { accept: ACCEPT } }, (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, digest: String(res.headers['docker-content-digest'] ?? '') })
    })
    req.on('error', reject)
    req.end()
  })
}
