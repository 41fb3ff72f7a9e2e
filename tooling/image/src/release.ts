/**
 * Pushes an OCI layout's image index (every platform) to a registry under the release tags
 * VERSION, MAJOR.MINOR and latest (a pre-release gets only VERSION). Credentials come from a
 * Docker config.json (auths, credsStore, credHelpers: @watchtower-ts/credentials), trust from the
 * system roots, `--registry-ca` and /etc/docker/certs.d (@watchtower-ts/tls). Basic and bearer
 * (token server) auth. Blobs the registry already has are not sent again.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createCredentialResolver } from '@watchtower-ts/credentials'
import { createTrustStore } from '@watchtower-ts/tls'
import { type Dispatcher, request } from 'undici'
import { ImageError } from './errors.ts'
import { blobPath, type Descriptor, MEDIA, readLayoutIndex } from './layout.ts'

export interface PushOptions {
  /** `HOST[:PORT]` of the registry. */
  registry: string
  /** @default 'watchtower-ts' */
  repository?: string
  /** The release version, `X.Y.Z` (or `X.Y.Z-pre`). */
  version: string
  /** Folder holding config.json. @default $DOCKER_CONFIG, else ~/.docker */
  dockerConfig?: string
  /** A CA bundle to trust for the registry (besides the system roots and /etc/docker/certs.d). */
  caFile?: string
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}

export interface PushResult {
  /** `HOST/REPOSITORY` */
  repository: string
  tags: string[]
  /** Digest of the pushed index (what every tag names). */
  digest: string
  /** Blobs sent / already there. */
  blobsSent: number
  blobsSkipped: number
}

/** VERSION, MAJOR.MINOR, latest (only VERSION for a pre-release); throws for a malformed version. */
export function releaseTags(version: string): string[] {
  const m = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(version)
  if (!m) throw new ImageError('WT_IMAGE_USAGE', `--version ${JSON.stringify(version)} is not X.Y.Z (semver)`)
  return m[4] ? [version] : [version, `${m[1]}.${m[2]}`, 'latest']
}

const TIMEOUT = { headersTimeout: 60_000, bodyTimeout: 300_000 }

export async function pushLayout(layoutDir: string, options: PushOptions): Promise<PushResult> {
  const tags = releaseTags(options.version)
  const repo = options.repository ?? 'watchtower-ts'
  const env = {
    ...(options.env ?? process.env),
    ...(options.dockerConfig ? { DOCKER_CONFIG: options.dockerConfig } : {}),
  }
  const trust = await createTrustStore(options.caFile ? { caFile: options.caFile } : {})
  try {
    const transport = await trust.transportFor(options.registry)
    const creds = await createCredentialResolver({ env, useEnv: false }).resolve(options.registry)
    options.log?.(`credentials for ${options.registry}: ${creds.source.description}`)
    const session = new Session(
      `https://${transport.host}`,
      repo,
      transport.dispatcher,
      creds.basicAuthorization(),
    )
    const { index, manifests } = await readLayoutIndex(layoutDir)
    let sent = 0
    let skipped = 0
    for (const m of manifests) {
      const manifest = JSON.parse(await readFile(blobPath(layoutDir, m.digest), 'utf8')) as {
        config: Descriptor
        layers: Descriptor[]
      }
      for (const blob of [...manifest.layers, manifest.config]) {
        if (await session.pushBlob(blobPath(layoutDir, blob.digest), blob)) sent++
        else skipped++
      }
      await session.putManifest(m.digest, m.mediaType, await readFile(blobPath(layoutDir, m.digest)))
      options.log?.(`pushed linux/${m.platform?.architecture} ${m.digest}`)
    }
    const body = await readFile(blobPath(layoutDir, index.digest))
    for (const tag of tags) {
      await session.putManifest(tag, MEDIA.index, body, index.digest)
      options.log?.(`tagged ${options.registry}/${repo}:${tag} → ${index.digest}`)
    }
    return {
      repository: `${options.registry}/${repo}`,
      tags,
      digest: index.digest,
      blobsSent: sent,
      blobsSkipped: skipped,
    }
  } finally {
    await trust.close()
  }
}

/** One repository on one registry, authenticated on the first 401 (Basic, or Bearer from the realm). */
class Session {
  private authorization: string | undefined
  constructor(
    private readonly base: string,
    private readonly repo: string,
    private readonly dispatcher: Dispatcher,
    private readonly basic: string | undefined,
  ) {}

  private async send(
    method: 'GET' | 'HEAD' | 'POST' | 'PUT',
    url: string,
    headers: Record<string, string> = {},
    body?: () => Buffer | NodeJS.ReadableStream,
  ): Promise<Dispatcher.ResponseData> {
    for (let attempt = 0; ; attempt++) {
      const res = await request(new URL(url, this.base), {
        method,
        dispatcher: this.dispatcher,
        headers: { ...headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
        ...(body ? { body: body() as Buffer } : {}),
        ...TIMEOUT,
      }).catch((cause: unknown) => {
        throw new ImageError(
          'WT_IMAGE_PUSH',
          `${method} ${this.base}${new URL(url, this.base).pathname} failed`,
          {
            cause,
          },
        )
      })
      if (res.statusCode !== 401 || attempt > 0) return res
      const challenge = String(res.headers['www-authenticate'] ?? '')
      await res.body.dump()
      await this.authenticate(challenge)
    }
  }

  private async authenticate(challenge: string): Promise<void> {
    if (!this.basic) {
      throw new ImageError(
        'WT_IMAGE_PUSH',
        `${this.base} asks for credentials and config.json has none for it`,
      )
    }
    if (/^basic/i.test(challenge)) {
      this.authorization = this.basic
      return
    }
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (!/^bearer/i.test(challenge) || !params.realm) {
      throw new ImageError('WT_IMAGE_PUSH', `${this.base} answered 401 with an unknown challenge`)
    }
    const realm = new URL(params.realm)
    if (params.service) realm.searchParams.set('service', params.service)
    realm.searchParams.set('scope', `repository:${this.repo}:pull,push`)
    const res = await request(realm, {
      dispatcher: this.dispatcher,
      headers: { authorization: this.basic },
      ...TIMEOUT,
    })
    const text = (await res.body.text()).slice(0, 64 * 1024)
    if (res.statusCode !== 200) {
      throw new ImageError(
        'WT_IMAGE_PUSH',
        `the token server ${realm.origin} refused the credentials (${res.statusCode})`,
      )
    }
    const token = JSON.parse(text) as { token?: string; access_token?: string }
    const value = token.token ?? token.access_token
    if (!value) throw new ImageError('WT_IMAGE_PUSH', `the token server ${realm.origin} gave no token`)
    this.authorization = `Bearer ${value}`
  }

  private async fail(what: string, res: Dispatcher.ResponseData): Promise<never> {
    const text = (await res.body.text().catch(() => '')).slice(0, 500)
    throw new ImageError('WT_IMAGE_PUSH', `${what}: ${res.statusCode} ${text.trim()}`)
  }

  /** Sends a blob unless the registry has it; true when sent. */
  async pushBlob(file: string, d: Descriptor): Promise<boolean> {
    const head = await this.send('HEAD', `/v2/${this.repo}/blobs/${d.digest}`)
    await head.body.dump()
    if (head.statusCode === 200) return false
    const size = (await stat(file)).size
    if (size !== d.size)
      throw new ImageError('WT_IMAGE_PUSH', `${file} has ${size} bytes, its descriptor says ${d.size}`)
    const start = await this.send('POST', `/v2/${this.repo}/blobs/uploads/`, { 'content-length': '0' })
    if (start.statusCode !== 202) return this.fail(`starting the upload of ${d.digest}`, start)
    await start.body.dump()
    const location = new URL(String(start.headers.location ?? ''), this.base)
    location.searchParams.set('digest', d.digest)
    const put = await this.send(
      'PUT',
      location.href,
      { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      () => createReadStream(file),
    )
    if (put.statusCode !== 201) return this.fail(`uploading ${d.digest}`, put)
    await put.body.dump()
    return true
  }

  async putManifest(reference: string, mediaType: string, body: Buffer, digest?: string): Promise<void> {
    const res = await this.send(
      'PUT',
      `/v2/${this.repo}/manifests/${reference}`,
      { 'content-type': mediaType },
      () => body,
    )
    if (res.statusCode !== 201) return this.fail(`putting the manifest ${reference}`, res)
    await res.body.dump()
    const got = res.headers['docker-content-digest']
    const want = digest ?? reference
    if (typeof got === 'string' && want.startsWith('sha256:') && got !== want) {
      throw new ImageError('WT_IMAGE_PUSH', `the registry stored ${reference} as ${got}, expected ${want}`)
    }
  }
}
