import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dockerCli, registryRequests, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { main } from './cli.ts'
import { ImageError } from './errors.ts'
import { buildImageLayout, type ImageLayout, MEDIA } from './layout.ts'
import { pushLayout, releaseTags } from './release.ts'

// The bed's `basic` registry: TLS with the private CA, htpasswd; alice's credentials come from the
// bed's docker config.json, as a release pipeline's would.
const bed = inject('testbed')
const exec = promisify(execFile)
const registry = bed.registries.basic.host
const repository = `alice/${uniqueName('wt-release')}`
const ref = `${registry}/${repository}`
const removeImages: string[] = []
let work: string
let layout: ImageLayout

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wt-image-release-test-'))
  layout = await buildImageLayout({ outDir: join(work, 'oci'), version: '3.4.5' })
})

afterAll(async () => {
  for (const r of removeImages) await dockerCli(bed, ['image', 'rm', '-f', r])
  await rm(work, { recursive: true, force: true })
})

function skopeoRaw(tag: string): Promise<string> {
  return exec('skopeo', [
    'inspect',
    '--raw',
    '--authfile',
    join(bed.dockerConfigDir, 'config.json'),
    '--cert-dir',
    join(work, 'certs'),
    `docker://${ref}:${tag}`,
  ]).then((r) => r.stdout)
}

describe('pnpm image release → the bed registry (TLS, private CA, htpasswd)', () => {
  it('pushes the index as VERSION, MAJOR.MINOR and latest; skopeo reads amd64 and arm64 entries', async () => {
    const out: string[] = []
    const pushed = await pushLayout(layout.dir, {
      registry,
      repository,
      version: '3.4.5',
      dockerConfig: bed.dockerConfigDir,
      caFile: bed.tls.caCert,
      log: (m) => out.push(m),
    })
    expect(pushed.tags).toEqual(['3.4.5', '3.4', 'latest'])
    expect(pushed.digest).toBe(layout.index.digest)
    expect(pushed.blobsSent).toBeGreaterThan(0)
    expect(out.join('\n')).not.toContain(bed.users.alice.password)

    // skopeo trusts the private CA from a folder of its own
    await mkdir(join(work, 'certs'), { recursive: true })
    await copyFile(bed.tls.caCert, join(work, 'certs', 'ca.crt'))
    for (const tag of pushed.tags) {
      const index = JSON.parse(await skopeoRaw(tag)) as {
        mediaType: string
        manifests: { platform: { os: string; architecture: string } }[]
      }
      expect(index.mediaType).toBe(MEDIA.index)
      expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual([
        'linux/amd64',
        'linux/arm64',
      ])
    }

    // A second release of the same layout sends no blob again.
    const again = await pushLayout(layout.dir, {
      registry,
      repository,
      version: '3.4.5',
      dockerConfig: bed.dockerConfigDir,
      caFile: bed.tls.caCert,
    })
    expect(again.blobsSent).toBe(0)
    const puts = await registryRequests(bed, 'basic', `/v2/${repository}/blobs/uploads`)
    expect(puts.filter((r) => r.method === 'PUT' && r.status === 201).length).toBe(pushed.blobsSent)
  })

  it('docker pull by tag and docker run pick the amd64 entry on this engine; --platform linux/arm64 gets the arm64 one', async () => {
    for (const tag of ['3.4.5', '3.4', 'latest']) {
      removeImages.push(`${ref}:${tag}`)
      const pull = await dockerCli(bed, ['pull', `${ref}:${tag}`])
      expect(pull.code, pull.stderr).toBe(0)
    }
    const arch = await dockerCli(
      bed,
      ['image', 'inspect', '--format', '{{.Architecture}} {{.Id}}', `${ref}:3.4.5`],
      {
        reject: true,
      },
    )
    const amd64 = layout.images.find((i) => i.architecture === 'amd64')
    expect(arch.stdout.trim()).toBe(`amd64 ${amd64?.config.digest}`)
    const help = await dockerCli(bed, ['run', '--rm', '--network', 'none', `${ref}:3.4.5`, '--help'])
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toContain('--http-api-update')
    const version = await dockerCli(bed, ['run', '--rm', '--network', 'none', `${ref}:latest`, '--version'])
    expect(version.stdout.trim()).toBe('watchtower 3.4.5')

    // The engine reads the index itself: asked for arm64, it pulls the arm64 manifest.
    const armRef = `${ref}:3.4`
    const pullArm = await dockerCli(bed, ['pull', '--platform', 'linux/arm64', armRef])
    expect(pullArm.code, pullArm.stderr).toBe(0)
    const arm = await dockerCli(bed, ['image', 'inspect', '--format', '{{.Architecture}} {{.Id}}', armRef], {
      reject: true,
    })
    const arm64 = layout.images.find((i) => i.architecture === 'arm64')
    expect(arm.stdout.trim()).toBe(`arm64 ${arm64?.config.digest}`)
  })

  it('also to a registry with bearer tokens (the bed token server): tokens asked with push scope, pull by tag works', async () => {
    const tokenRegistry = bed.registries.token.host
    const repo = `alice/${uniqueName('wt-release-tok')}`
    const pushed = await pushLayout(layout.dir, {
      registry: tokenRegistry,
      repository: repo,
      version: '3.4.5',
      dockerConfig: bed.dockerConfigDir,
      caFile: bed.tls.caCert,
    })
    expect(pushed.tags).toEqual(['3.4.5', '3.4', 'latest'])
    const asked = (await tokenLog(bed)).filter((t) => t.scopes.some((sc) => sc.includes(repo)))
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every((t) => t.account === 'alice' && t.status === 200)).toBe(true)
    expect(asked.some((t) => t.scopes.some((sc) => sc === `repository:${repo}:pull,push`))).toBe(true)
    const ref = `${tokenRegistry}/${repo}:3.4`
    removeImages.push(ref)
    const pull = await dockerCli(bed, ['pull', ref])
    expect(pull.code, pull.stderr).toBe(0)
    const arch = await dockerCli(bed, ['image', 'inspect', '--format', '{{.Architecture}}', ref], {
      reject: true,
    })
    expect(arch.stdout.trim()).toBe('amd64')
  })

  it('the CLI: wrong credentials are a clear error without the secret; a malformed version is refused', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'wt-image-badcfg-'))
    try {
      const secret = 'not-alices-password-123'
      await writeFile(
        join(bad, 'config.json'),
        JSON.stringify({
          auths: { [registry]: { auth: Buffer.from(`alice:${secret}`).toString('base64') } },
        }),
      )
      const err = await pushLayout(layout.dir, {
        registry,
        repository,
        version: '3.4.6',
        dockerConfig: bad,
        caFile: bed.tls.caCert,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ImageError)
      expect((err as ImageError).code).toBe('WT_IMAGE_PUSH')
      expect((err as ImageError).message).toContain('401')
      expect((err as ImageError).message).not.toContain(secret)
    } finally {
      await rm(bad, { recursive: true, force: true })
    }
    expect(() => releaseTags('1.2')).toThrow(/not X\.Y\.Z/)
    expect(releaseTags('2.0.0-rc.1')).toEqual(['2.0.0-rc.1'])
    const errors: string[] = []
    const origError = console.error
    console.error = (m: string) => errors.push(m)
    try {
      expect(await main(['release', '--registry', registry])).toBe(2)
    } finally {
      console.error = origError
    }
    expect(errors.join('\n')).toContain('release needs --registry HOST:PORT and --version X.Y.Z')
  })
})
