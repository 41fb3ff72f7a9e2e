import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ELF_MACHINE, readElfDynamic } from './elf.ts'
import { ImageError } from './errors.ts'
import { blobPath, buildImageLayout, type Descriptor, type ImageLayout, MEDIA, REPO_ROOT } from './layout.ts'
import { layoutSizes } from './sizes.ts'

const exec = promisify(execFile)
const nodeVersion = `v${(await readFile(join(REPO_ROOT, '.node-version'), 'utf8')).trim()}`
let work: string
let layout: ImageLayout

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wt-image-layout-test-'))
  layout = await buildImageLayout({ outDir: join(work, 'oci'), version: '9.8.7', buildId: 'layout-test' })
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const json = async <T>(d: { digest: string }): Promise<T> =>
  JSON.parse(await readFile(blobPath(layout.dir, d.digest), 'utf8')) as T

/** Unpacks a platform's layers into a folder (what the engine would see as its root file system). */
async function unpack(arch: 'amd64' | 'arm64'): Promise<string> {
  const image = layout.images.find((i) => i.architecture === arch)
  if (!image) throw new Error(`no ${arch}`)
  const root = join(work, `rootfs-${arch}`)
  await exec('mkdir', ['-p', root])
  for (const l of image.layers) await exec('tar', ['-xzf', blobPath(layout.dir, l.digest), '-C', root])
  return root
}

describe('the OCI layout (linux/amd64 + linux/arm64, assembled from files)', () => {
  it('is an OCI layout whose index names one manifest per platform, every blob matching its digest', async () => {
    expect(JSON.parse(await readFile(join(layout.dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    })
    const top = JSON.parse(await readFile(join(layout.dir, 'index.json'), 'utf8')) as {
      manifests: Descriptor[]
    }
    expect(top.manifests).toHaveLength(1)
    expect(top.manifests[0]?.mediaType).toBe(MEDIA.index)
    expect(top.manifests[0]?.annotations?.['org.opencontainers.image.ref.name']).toBe('9.8.7')
    const index = await json<{ mediaType: string; manifests: Descriptor[] }>(layout.index)
    expect(index.mediaType).toBe(MEDIA.index)
    expect(index.manifests.map((m) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ])
    for (const m of index.manifests) {
      const manifest = await json<{ mediaType: string; config: Descriptor; layers: Descriptor[] }>(m)
      expect(manifest.mediaType).toBe(MEDIA.manifest)
      for (const d of [m, manifest.config, ...manifest.layers]) {
        const bytes = await readFile(blobPath(layout.dir, d.digest))
        expect(bytes.length).toBe(d.size)
        expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(d.digest)
      }
      const config = await json<{
        architecture: string
        os: string
        rootfs: { diff_ids: string[] }
        config: {
          Entrypoint: string[]
          Env: string[]
          Labels: Record<string, string>
          Healthcheck: { Test: string[] }
        }
      }>(manifest.config)
      expect(config.architecture).toBe(m.platform?.architecture)
      expect(config.os).toBe('linux')
      expect(config.rootfs.diff_ids).toHaveLength(manifest.layers.length)
      expect(config.config.Entrypoint).toEqual(['/watchtower'])
      expect(config.config.Healthcheck.Test).toEqual(['CMD', '/watchtower', '--health-check'])
      expect(config.config.Env).toContain('DOCKER_CONFIG=/')
      expect(config.config.Labels).toMatchObject({
        'com.centurylinklabs.watchtower': 'true',
        'org.opencontainers.image.version': '9.8.7',
        'org.watchtower-ts.build': 'layout-test',
        'org.watchtower-ts.node': nodeVersion,
      })
    }
  })

  it('is under 50 MB compressed per platform; sizes are read back from the layout itself', async () => {
    const sizes = await layoutSizes(layout.dir)
    expect(sizes.map((s) => s.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    for (const s of sizes) {
      expect(s.compressedBytes).toBeLessThan(50e6)
      expect(s.unpackedBytes).toBeGreaterThan(s.compressedBytes)
      const built = layout.images.find((i) => `linux/${i.architecture}` === s.platform)
      expect(s.unpackedBytes).toBe(built?.unpackedBytes)
    }
  })

  it('holds only node, the libraries it links (by ELF, for its architecture), CA certificates, the app and licences', async () => {
    for (const [arch, triplet] of [
      ['amd64', 'x86_64-linux-gnu'],
      ['arm64', 'aarch64-linux-gnu'],
    ] as const) {
      const root = await unpack(arch)
      const files = (await exec('find', ['.', '-type', 'f'], { cwd: root })).stdout
        .split('\n')
        .filter(Boolean)
        .sort()
      const libs = files.filter((f) => f.startsWith(`./usr/lib/${triplet}/`)).map((f) => f.split('/').pop())
      expect(libs.sort()).toEqual(
        [
          arch === 'amd64' ? 'ld-linux-x86-64.so.2' : 'ld-linux-aarch64.so.1',
          'libc.so.6',
          'libdl.so.2',
          'libgcc_s.so.1',
          'libm.so.6',
          'libpthread.so.0',
          'libstdc++.so.6',
        ].sort(),
      )
      for (const lib of libs) {
        expect((await readElfDynamic(join(root, 'usr/lib', triplet, lib as string))).machine).toBe(
          ELF_MACHINE[arch],
        )
      }
      const node = await readElfDynamic(join(root, 'usr/local/bin/node'))
      expect(node.machine).toBe(ELF_MACHINE[arch])
      // the loader node names is where it says
      expect((await stat(join(root, node.interpreter as string))).isFile()).toBe(true)
      // no shell, no package manager, no node_modules
      expect(files.some((f) => /\/(sh|busybox|npm|apt)$|node_modules/.test(f))).toBe(false)
      expect(files).toEqual(
        expect.arrayContaining([
          './etc/ssl/certs/ca-certificates.crt',
          './usr/local/share/doc/node/LICENSE',
          './usr/share/doc/libc6/copyright',
          './usr/share/doc/libstdc++6/copyright',
          './usr/share/doc/libgcc-s1/copyright',
          './usr/local/lib/watchtower/dist/bin/THIRD-PARTY-LICENSES.txt',
          './usr/local/lib/watchtower/dist/bin/watchtower.js',
          './usr/local/lib/watchtower/watchtower.mjs',
          './usr/local/lib/watchtower/THIRD-PARTY-NOTICES.md',
        ]),
      )
      const licences = await readFile(
        join(root, 'usr/local/lib/watchtower/dist/bin/THIRD-PARTY-LICENSES.txt'),
        'utf8',
      )
      expect(licences).toMatch(/undici@\d/)
      expect(licences).toMatch(/dockerode@\d/)
      expect(files.length).toBeLessThan(80)
    }
  })

  it('the amd64 root file system runs its own node and the app with its own libraries', async () => {
    const root = join(work, 'rootfs-amd64')
    const loader = join(root, 'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2')
    const r = await exec(loader, [
      '--library-path',
      join(root, 'usr/lib/x86_64-linux-gnu'),
      join(root, 'usr/local/bin/node'),
      join(root, 'usr/local/lib/watchtower/watchtower.mjs'),
      '--version',
    ])
    expect(r.stdout.trim()).toBe('watchtower 9.8.7')
  })

  it('the arm64 node runs under qemu-user-static with the image as its root (never natively)', async () => {
    const root = join(work, 'rootfs-arm64')
    const v = await exec('qemu-aarch64-static', [
      '-L',
      root,
      join(root, 'usr/local/bin/node'),
      '-p',
      'process.version + " " + process.arch',
    ])
    expect(v.stdout.trim()).toBe(`${nodeVersion} arm64`)
    const app = await exec('qemu-aarch64-static', [
      '-L',
      root,
      join(root, 'usr/local/bin/node'),
      join(root, 'usr/local/lib/watchtower/watchtower.mjs'),
      '--version',
    ])
    expect(app.stdout.trim()).toBe('watchtower 9.8.7')
  })

  it('the runtime layer is reproducible: a second build gives the same layer digests', async () => {
    const again = await buildImageLayout({
      outDir: join(work, 'oci-again'),
      version: '9.8.7',
      buildId: 'other',
      architectures: ['arm64'],
      skipBundle: false,
    })
    const before = layout.images.find((i) => i.architecture === 'arm64')
    expect(again.images[0]?.layers.map((l) => l.digest)).toEqual(before?.layers.map((l) => l.digest))
    // a new build id is a new image (config), with the same layers
    expect(again.images[0]?.config.digest).not.toBe(before?.config.digest)
  })
})

describe('readElfDynamic', () => {
  it('names the file when it is not an ELF file', async () => {
    const err = await readElfDynamic(join(REPO_ROOT, 'package.json')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ImageError)
    expect((err as ImageError).code).toBe('WT_IMAGE_ELF')
    expect((err as ImageError).message).toContain('package.json is not an ELF file')
  })
})
