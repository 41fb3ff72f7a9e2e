import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request } from 'node:https'
import type { RegistryName, Testbed } from './types.ts'

export interface TagImageOptions {
  registry: Extract<RegistryName, 'open' | 'basic' | 'token'>
  repository: string
  /** An existing tag (or digest) of `repository` whose manifest the new tags get. */
  from: string
  tags: readonly string[]
  /** Whose credentials push (basic and token registries). @default 'alice' */
  user?: 'alice' | 'bob'
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  ca: string,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? request : httpRequest)(url, { method, headers, ca }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Gives an image that is already in a registry more tags, the way `docker tag` + `docker push` would
 * but without the engine: the manifest is read once and PUT under each new tag (hundreds of tags in
 * about a second). Layers are shared, so nothing else moves. Returns the manifest digest.
 */
export async function tagImage(bed: Testbed, options: TagImageOptions): Promise<string> {
  const reg = bed.registries[options.registry]
  const ca = await readFile(bed.tls.caCert, 'utf8')
  const user = bed.users[options.user ?? 'alice']
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`
  let authorization: string | undefined
  if (reg.auth === 'basic') authorization = basic
  if (reg.auth === 'token') {
    const t = new URL(bed.tokenServer.realm)
    t.searchParams.set('service', bed.tokenServer.service)
    t.searchParams.set('scope', `repository:${options.repository}:pull,push`)
    const res = await send(t, 'GET', { authorization: basic }, ca)
    if (res.status !== 200) throw new Error(`tagImage: token server answered ${res.status}`)
    const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string }
    authorization = `Bearer ${json.token ?? json.access_token}`
  }
  const auth: Record<string, string> = authorization ? { authorization } : {}
  const manifestUrl = (ref: string) => new URL(`/v2/${options.repository}/manifests/${ref}`, reg.url)
  const accept = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', ')
  const got = await send(manifestUrl(options.from), 'GET', { ...auth, accept }, ca)
  if (got.status !== 200)
    throw new Error(
      `tagImage: GET ${options.repository}:${options.from} on ${reg.name} answered ${got.status}`,
    )
  const contentType = String(got.headers['content-type'] ?? '').split(';')[0]!
  const digest = String(got.headers['docker-content-digest'] ?? '')
  // a few at a time: the registry writes one small file per tag
  const queue = [...options.tags]
  const worker = async () => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      const put = await send(manifestUrl(tag), 'PUT', { ...auth, 'content-type': contentType }, ca, got.body)
      if (put.status !== 201)
        throw new Error(`tagImage: PUT ${options.repository}:${tag} on ${reg.name} answered ${put.status}`)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return digest
}
