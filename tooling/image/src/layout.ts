/**
 * The watchtower image, assembled from files and written as an OCI image layout (index.json,
 * oci-layout, blobs/sha256/…) holding one image index with a manifest per platform. Nothing of
 * the target architecture is run: node comes from the npm registry's `node-linux-<arch>` package
 * (tooling/node/install.sh), the libraries it links from Debian's packages for that architecture
 * (read from the ELF file, not from ldd), the CA bundle from this machine, the app from
 * apps/watchtower's esbuild bundle.
 *
 * Two layers per platform: `runtime` (node, its libraries, CA certificates, /etc, licences), the
 * same from one release to the next (reproducible tar: sorted, fixed times, owner 0), and `app`
 * (the bundle). The config carries the entrypoint, health check, labels and env of the image.
 */
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import {
  chmod,
  copyFile,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'
import { runOk } from './_run.ts'
import { type DebianArch, type DebianPackage, downloadPackages, extractPackages } from './debian.ts'
import { ELF_MACHINE, readElfDynamic } from './elf.ts'
import { ImageError } from './errors.ts'

/** The repository this package lives in. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const

export type Architecture = DebianArch
export const ALL_ARCHITECTURES: readonly Architecture[] = ['amd64', 'arm64']

/** Bump when the runtime layer's layout changes (cached runtime layers are then remade). */
const RUNTIME_LAYOUT_VERSION = '2'

const TRIPLET: Record<Architecture, string> = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }
const NODE_ARCH: Record<Architecture, string> = { amd64: 'x64', arm64: 'arm64' }

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

export interface PlatformImage {
  architecture: Architecture
  manifest: Descriptor
  config: Descriptor
  layers: (Descriptor & { diffId: string; unpackedSize: number; name: 'runtime' | 'app' })[]
  /** Sum of the layers' gzip sizes (what a pull downloads). */
  compressedBytes: number
  /** Sum of the layers' tar sizes (close to what the engine reports as the image size). */
  unpackedBytes: number
  nodeVersion: string
  debianPackages: { name: string; version: string }[]
}

export interface ImageLayout {
  /** The OCI layout folder. */
  dir: string
  /** Descriptor of the image index (also in the layout's index.json). */
  index: Descriptor
  version: string
  images: PlatformImage[]
}

export interface BuildLayoutOptions {
  /** Folder for the OCI layout (replaced). @default <repo>/tooling/image/.out/oci */
  outDir?: string
  /** @default both: ['amd64', 'arm64'] */
  architectures?: readonly Architecture[]
  /** @default the repository holding this package */
  repoRoot?: string
  /** Written to the `org.watchtower-ts.build` label: a new value gives a new image from the same sources. */
  buildId?: string
  /** Version of the image (labels, `watchtower --version`). @default apps/watchtower's package.json version */
  version?: string
  /** Skip re-bundling apps/watchtower (use its dist/bin as it is). @default false */
  skipBundle?: boolean
  /** Cache for runtime layers, node and Debian packages. @default ~/.cache/watchtower-ts */
  cacheDir?: string
  log?: (line: string) => void
}

export function defaultOutDir(repoRoot = REPO_ROOT): string {
  return join(repoRoot, 'tooling/image/.out/oci')
}

function cacheRoot(options: BuildLayoutOptions): string {
  return options.cacheDir ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'watchtower-ts')
}

export async function buildImageLayout(options: BuildLayoutOptions = {}): Promise<ImageLayout> {
  const repoRoot = options.repoRoot ?? REPO_ROOT
  const archs = options.architectures ?? ALL_ARCHITECTURES
  const outDir = options.outDir ?? defaultOutDir(repoRoot)
  const log = options.log
  const pkg = JSON.parse(await readFile(join(repoRoot, 'apps/watchtower/package.json'), 'utf8')) as {
    version: string
    license: string
  }
  const appPkg = { version: options.version ?? pkg.version, license: pkg.license }
  const created = await commitTime(repoRoot)
  await mkdir(dirname(outDir), { recursive: true })
  const tmp = await mkdtemp(join(dirname(outDir), '.oci-tmp-'))
  try {
    await mkdir(join(tmp, 'blobs/sha256'), { recursive: true })
    // A bundle of its own (apps/watchtower/dist/bin may be in use by tests running meanwhile).
    let bundle = join(repoRoot, 'apps/watchtower/dist/bin')
    if (!options.skipBundle) {
      log?.('bundling apps/watchtower (esbuild)')
      bundle = join(tmp, '.bundle')
      await runOk(process.execPath, ['bundle.mjs', '--outdir', bundle], {
        cwd: join(repoRoot, 'apps/watchtower'),
        env: { ...process.env, WATCHTOWER_VERSION: appPkg.version },
      })
    }
    const appLayer = await makeAppLayer(repoRoot, bundle, appPkg, tmp, created)
    await rm(join(tmp, '.bundle'), { recursive: true, force: true })
    const images: PlatformImage[] = []
    for (const arch of archs) {
      const runtime = await runtimeLayer(arch, repoRoot, cacheRoot(options), log)
      await copyFile(runtime.blob, blobPath(tmp, runtime.digest))
      const layers = [
        { ...layerDescriptor(runtime), name: 'runtime' as const },
        { ...layerDescriptor(appLayer), name: 'app' as const },
      ]
      const config = imageConfig({
        arch,
        created,
        version: appPkg.version,
        license: appPkg.license,
        buildId: options.buildId ?? '',
        nodeVersion: runtime.nodeVersion,
        diffIds: layers.map((l) => l.diffId),
      })
      const configDesc = await writeJsonBlob(tmp, MEDIA.config, config)
      const manifest = {
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: configDesc,
        layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
        annotations: { 'org.opencontainers.image.version': appPkg.version },
      }
      const manifestDesc = await writeJsonBlob(tmp, MEDIA.manifest, manifest)
      images.push({
        architecture: arch,
        manifest: { ...manifestDesc, platform: { os: 'linux', architecture: arch } },
        config: configDesc,
        layers,
        compressedBytes: layers.reduce((n, l) => n + l.size, 0) + configDesc.size + manifestDesc.size,
        unpackedBytes: layers.reduce((n, l) => n + l.unpackedSize, 0),
        nodeVersion: runtime.nodeVersion,
        debianPackages: runtime.packages,
      })
      log?.(
        `linux/${arch}: ${mb(images.at(-1)?.compressedBytes)} MB compressed, ${mb(images.at(-1)?.unpackedBytes)} MB unpacked`,
      )
    }
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: images.map((i) => i.manifest),
      annotations: {
        'org.opencontainers.image.title': 'watchtower-ts',
        'org.opencontainers.image.version': appPkg.version,
      },
    }
    const indexDesc = await writeJsonBlob(tmp, MEDIA.index, index)
    await writeFile(join(tmp, 'oci-layout'), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`)
    await writeFile(
      join(tmp, 'index.json'),
      `${JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.index,
        manifests: [{ ...indexDesc, annotations: { 'org.opencontainers.image.ref.name': appPkg.version } }],
      })}\n`,
    )
    await rm(outDir, { recursive: true, force: true })
    await rename(tmp, outDir)
    return { dir: outDir, index: indexDesc, version: appPkg.version, images }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

const mb = (n = 0) => (n / 1e6).toFixed(1)

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', ...digest.split(':'))
}

async function writeJsonBlob(dir: string, mediaType: string, value: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value))
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  await writeFile(blobPath(dir, digest), bytes)
  return { mediaType, digest, size: bytes.length }
}

interface Layer {
  blob: string
  digest: string
  size: number
  diffId: string
  unpackedSize: number
}

function layerDescriptor(l: Layer): Descriptor & { diffId: string; unpackedSize: number } {
  return {
    mediaType: MEDIA.layer,
    digest: l.digest,
    size: l.size,
    diffId: l.diffId,
    unpackedSize: l.unpackedSize,
  }
}

/** HEAD's commit time (reproducible `created` and file times), else the epoch. */
async function commitTime(repoRoot: string): Promise<Date> {
  const env = process.env.SOURCE_DATE_EPOCH
  if (env && /^\d+$/.test(env)) return new Date(Number(env) * 1000)
  const out = await runOk('git', ['-C', repoRoot, 'log', '-1', '--format=%ct']).catch(() => '0')
  return new Date(Number(out.trim() || '0') * 1000)
}

/**
 * `tar` of `dir` (sorted, owner 0, times fixed to `mtime`), gzipped into `out`; returns digests of
 * both the gzip (the blob) and the tar (the diff id).
 */
export async function tarGzip(dir: string, out: string, mtime: Date): Promise<Omit<Layer, 'blob'>> {
  await chmod(dir, 0o755) // the `./` entry: the container's / (a mkdtemp folder is 0700)
  const tar = spawn(
    'tar',
    [
      '-C',
      dir,
      '--sort=name',
      `--mtime=@${Math.floor(mtime.getTime() / 1000)}`,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--format=gnu',
      '-cf',
      '-',
      '.',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let tarErr = ''
  tar.stderr.on('data', (d) => {
    tarErr += d
  })
  const tarExit = new Promise<number>((r) => tar.on('close', (c) => r(c ?? 1)))
  const diff = createHash('sha256')
  const blob = createHash('sha256')
  let unpackedSize = 0
  let size = 0
  tar.stdout.on('data', (d: Buffer) => {
    diff.update(d)
    unpackedSize += d.length
  })
  const gzip = createGzip({ level: 9 })
  gzip.on('data', (d: Buffer) => {
    blob.update(d)
    size += d.length
  })
  await pipeline(tar.stdout, gzip, createWriteStream(out))
  const code = await tarExit
  if (code !== 0) throw new ImageError('WT_IMAGE_LAYOUT', `tar of ${dir} failed (${code}): ${tarErr.trim()}`)
  return {
    digest: `sha256:${blob.digest('hex')}`,
    size,
    diffId: `sha256:${diff.digest('hex')}`,
    unpackedSize,
  }
}

async function finishLayer(staging: string, layoutDir: string, mtime: Date): Promise<Layer> {
  const tmpBlob = join(layoutDir, 'blobs', `.layer-${randomUUID()}`)
  const l = await tarGzip(staging, tmpBlob, mtime)
  const blob = blobPath(layoutDir, l.digest)
  await rename(tmpBlob, blob)
  return { ...l, blob }
}

/** The app layer: apps/watchtower's bundle under /usr/local/lib/watchtower, `/watchtower` linking to it. */
async function makeAppLayer(
  repoRoot: string,
  bundle: string,
  app: { version: string; license: string },
  layoutDir: string,
  mtime: Date,
): Promise<Layer> {
  const appDir = join(repoRoot, 'apps/watchtower')
  const root = await mkdtemp(join(tmpdir(), 'wt-image-app-'))
  try {
    const lib = join(root, 'usr/local/lib/watchtower')
    await mkdir(join(lib, 'dist'), { recursive: true })
    if (!(await stat(join(bundle, 'watchtower.js')).catch(() => undefined))) {
      throw new ImageError('WT_IMAGE_LAYOUT', `${bundle}/watchtower.js is missing: run pnpm build first`)
    }
    await cp(bundle, join(lib, 'dist/bin'), { recursive: true })
    // The app's bin.js, started by the image's own node (no /usr/bin/env in the image).
    const bin = (await readFile(join(appDir, 'bin.js'), 'utf8')).replace(/^#!.*\n/, '#!/usr/local/bin/node\n')
    await writeFile(join(lib, 'watchtower.mjs'), bin, { mode: 0o755 })
    await chmod(join(lib, 'watchtower.mjs'), 0o755)
    await writeFile(
      join(lib, 'package.json'),
      `${JSON.stringify({ name: '@watchtower-ts/watchtower', version: app.version, type: 'module', license: app.license })}\n`,
    )
    // Notices of code ported into the app itself (not a bundled package), e.g. robfig/cron's.
    const notices = join(appDir, 'THIRD-PARTY-NOTICES.md')
    if (await stat(notices).catch(() => undefined))
      await copyFile(notices, join(lib, 'THIRD-PARTY-NOTICES.md'))
    await symlink('usr/local/lib/watchtower/watchtower.mjs', join(root, 'watchtower'))
    return await finishLayer(root, layoutDir, mtime)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

interface RuntimeLayer extends Layer {
  nodeVersion: string
  packages: { name: string; version: string }[]
}

/**
 * The runtime layer for `arch`, from the cache when the same node, Debian packages, CA bundle and
 * layout made it before (a few seconds of gzip saved per build).
 */
async function runtimeLayer(
  arch: Architecture,
  repoRoot: string,
  cache: string,
  log?: (line: string) => void,
): Promise<RuntimeLayer> {
  // Not the commit time: the same node and libraries give the same layer, release after release.
  const mtime = new Date(0)
  const nodeBin = (
    await runOk('bash', [join(repoRoot, 'tooling/node/install.sh'), '--arch', NODE_ARCH[arch]])
  ).trim()
  const nodeDir = nodeBin // the bin folder: node, and ../LICENSE
  const nodeVersion = (await readFile(join(repoRoot, '.node-version'), 'utf8')).trim().replace(/^v?/, 'v')
  const debs = await downloadPackages(arch, undefined, {
    cacheDir: join(cache, 'debian'),
    ...(log ? { log } : {}),
  })
  const caBundle = '/etc/ssl/certs/ca-certificates.crt'
  const ca = await readFile(caBundle).catch((cause: unknown) => {
    throw new ImageError(
      'WT_IMAGE_LAYOUT',
      `${caBundle} is needed for the image (apt-get install ca-certificates)`,
      {
        cause,
      },
    )
  })
  const key = createHash('sha256')
    .update(
      `${RUNTIME_LAYOUT_VERSION}\n${arch}\n${await readFile(join(nodeDir, '..', '.integrity'), 'utf8')}\n`,
    )
    .update(debs.map((d) => `${d.name}=${d.version}`).join('\n'))
    .update(ca)
    .digest('hex')
    .slice(0, 32)
  const layersCache = join(cache, 'image-layers')
  await mkdir(layersCache, { recursive: true })
  const meta = join(layersCache, `${key}.json`)
  const packages = debs.map(({ name, version }) => ({ name, version }))
  const cached = await readFile(meta, 'utf8').then(
    (t) => JSON.parse(t) as Omit<Layer, 'blob'>,
    () => undefined,
  )
  if (cached) {
    const blob = join(layersCache, `${cached.digest.slice(7)}.tar.gz`)
    if ((await stat(blob).catch(() => undefined))?.size === cached.size) {
      return { ...cached, blob, nodeVersion, packages }
    }
  }
  log?.(
    `assembling the linux/${arch} runtime layer (node ${nodeVersion}, Debian ${packages.map((p) => `${p.name} ${p.version}`).join(', ')})`,
  )
  const work = await mkdtemp(join(tmpdir(), `wt-image-${arch}-`))
  try {
    const debRoot = join(work, 'deb')
    await extractPackages(debs, debRoot)
    // A doc folder linking to another package's (libstdc++6 → gcc-12-base): fetch that one too,
    // for its copyright file.
    const docs = join(debRoot, 'usr/share/doc')
    const linked: string[] = []
    for (const d of debs) {
      const target = await readlink(join(docs, d.name)).catch(() => undefined)
      if (target && !target.includes('/') && !(await stat(join(docs, target)).catch(() => undefined))) {
        if (!linked.includes(target)) linked.push(target)
      }
    }
    const docDebs = linked.length
      ? await downloadPackages(arch, linked, { cacheDir: join(cache, 'debian'), ...(log ? { log } : {}) })
      : []
    await extractPackages(docDebs, debRoot)
    const root = join(work, 'root')
    await assembleRuntime(root, { arch, nodeDir, debRoot, debs: [...debs, ...docDebs], caBundle })
    const tmpName = `.tmp-${randomUUID()}.tar.gz`
    const l = await tarGzip(root, join(layersCache, tmpName), mtime)
    const blob = join(layersCache, `${l.digest.slice(7)}.tar.gz`)
    await rename(join(layersCache, tmpName), blob)
    await writeFile(meta, JSON.stringify(l))
    return { ...l, blob, nodeVersion, packages }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Writes the runtime root file system for `arch` into `root` (merged /usr, as Debian). */
export async function assembleRuntime(
  root: string,
  files: {
    arch: Architecture
    nodeDir: string
    debRoot: string
    debs: readonly DebianPackage[]
    caBundle: string
  },
): Promise<void> {
  const { arch, nodeDir, debRoot } = files
  const triplet = TRIPLET[arch]
  const libDir = `usr/lib/${triplet}`
  for (const d of ['usr/bin', 'usr/local/bin', libDir, 'etc/ssl/certs', 'root', 'usr/local/share/doc/node']) {
    await mkdir(join(root, d), { recursive: true })
  }
  await symlink('usr/bin', join(root, 'bin'))
  await symlink('usr/lib', join(root, 'lib'))
  await mkdir(join(root, 'tmp'))
  await chmod(join(root, 'tmp'), 0o1777)

  const node = join(root, 'usr/local/bin/node')
  await copyFile(join(nodeDir, 'node'), node)
  await chmod(node, 0o755)
  await copyFile(join(nodeDir, '..', 'LICENSE'), join(root, 'usr/local/share/doc/node/LICENSE'))

  // node's libraries and theirs, by DT_NEEDED, from the Debian packages' files.
  const info = await readElfDynamic(node)
  if (info.machine !== ELF_MACHINE[arch]) {
    throw new ImageError('WT_IMAGE_LAYOUT', `the node for ${arch} is an ELF file for machine ${info.machine}`)
  }
  const searchDirs = [`lib/${triplet}`, `usr/lib/${triplet}`].map((d) => join(debRoot, d))
  const done = new Set<string>()
  const queue = [...info.needed]
  while (queue.length) {
    const name = queue.shift() as string
    if (done.has(name)) continue
    done.add(name)
    let found: string | undefined
    for (const d of searchDirs) {
      if (await lstat(join(d, name)).catch(() => undefined)) {
        found = await realpath(join(d, name))
        break
      }
    }
    if (!found) {
      throw new ImageError(
        'WT_IMAGE_LAYOUT',
        `${name} (needed by node for ${arch}) is in none of the Debian packages ${files.debs.map((d) => d.name).join(', ')}`,
      )
    }
    const dest = join(root, libDir, name)
    await copyFile(found, dest)
    await chmod(dest, 0o755)
    queue.push(...(await readElfDynamic(found)).needed)
  }
  // The loader where node's PT_INTERP names it (/lib64/… on amd64, /lib/… on arm64).
  const interp = info.interpreter
  if (!interp) throw new ImageError('WT_IMAGE_LAYOUT', `node for ${arch} names no program interpreter`)
  const loaderName = interp.split('/').pop() as string
  if (!done.has(loaderName)) {
    throw new ImageError('WT_IMAGE_LAYOUT', `node's loader ${interp} is not among its libraries`)
  }
  const interpDir = dirname(interp) // /lib64 or /lib
  if (interpDir === '/lib64') {
    await symlink('usr/lib64', join(root, 'lib64'))
    await mkdir(join(root, 'usr/lib64'), { recursive: true })
    await symlink(`../lib/${triplet}/${loaderName}`, join(root, 'usr/lib64', loaderName))
  } else if (interpDir === '/lib') {
    await symlink(`${triplet}/${loaderName}`, join(root, 'usr/lib', loaderName))
  } else {
    throw new ImageError('WT_IMAGE_LAYOUT', `unexpected program interpreter ${interp}`)
  }

  // Licences of what is shipped: Debian's copyright files, the CA bundle's.
  for (const d of files.debs) {
    const from = join(debRoot, 'usr/share/doc', d.name, 'copyright')
    const to = join(root, 'usr/share/doc', d.name, 'copyright')
    await mkdir(dirname(to), { recursive: true })
    await copyFile(await realpathOrLink(debRoot, from), to)
  }
  const caCopyright = '/usr/share/doc/ca-certificates/copyright'
  if (await stat(caCopyright).catch(() => undefined)) {
    await mkdir(join(root, 'usr/share/doc/ca-certificates'), { recursive: true })
    await copyFile(caCopyright, join(root, 'usr/share/doc/ca-certificates/copyright'))
  }
  await copyFile(files.caBundle, join(root, 'etc/ssl/certs/ca-certificates.crt'))
  await chmod(join(root, 'etc/ssl/certs/ca-certificates.crt'), 0o644)
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  )
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
  await writeFile(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n')
  await writeFile(
    join(root, 'usr/share/doc/README.watchtower-ts'),
    [
      'What this image holds and where it comes from:',
      `- /usr/local/bin/node: Node.js, the official linux-${NODE_ARCH[arch]} binary (npm package node-linux-${NODE_ARCH[arch]}); licence in /usr/local/share/doc/node/LICENSE`,
      ...files.debs.map(
        (d) =>
          `- from Debian ${d.name} ${d.version} (${d.arch}): ${d.name === 'libc6' ? 'glibc' : d.name}; copyright in /usr/share/doc/${d.name}/copyright`,
      ),
      '- /etc/ssl/certs/ca-certificates.crt: Debian ca-certificates (Mozilla CA list)',
      '- /usr/local/lib/watchtower: watchtower-ts (notices of ported code in THIRD-PARTY-NOTICES.md); bundled packages and their licences in /usr/local/lib/watchtower/dist/bin/THIRD-PARTY-LICENSES.txt',
      '',
    ].join('\n'),
  )
}

/** Debian's doc folders are sometimes links to another package's; follow within the tree. */
async function realpathOrLink(treeRoot: string, p: string): Promise<string> {
  const st = await lstat(p).catch(() => undefined)
  if (!st) throw new ImageError('WT_IMAGE_LAYOUT', `${p} is missing from the extracted Debian packages`)
  if (!st.isSymbolicLink()) return p
  const target = await readlink(p)
  return realpathOrLink(treeRoot, target.startsWith('/') ? join(treeRoot, target) : join(dirname(p), target))
}

interface ConfigInput {
  arch: Architecture
  created: Date
  version: string
  license: string
  buildId: string
  nodeVersion: string
  diffIds: string[]
}

/** The image config: entrypoint, health check, labels and env as the image has always had. */
export function imageConfig(c: ConfigInput): Record<string, unknown> {
  const s = 1e9
  return {
    created: c.created.toISOString(),
    architecture: c.arch,
    os: 'linux',
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `NODE_VERSION=${c.nodeVersion.replace(/^v/, '')}`,
        'DOCKER_CONFIG=/',
        'NODE_ENV=production',
      ],
      Entrypoint: ['/watchtower'],
      ExposedPorts: { '8080/tcp': {} },
      Labels: {
        'com.centurylinklabs.watchtower': 'true',
        'org.opencontainers.image.title': 'watchtower-ts',
        'org.opencontainers.image.description': 'Keeps running Docker containers up to date',
        'org.opencontainers.image.version': c.version,
        'org.opencontainers.image.licenses': c.license,
        'org.watchtower-ts.build': c.buildId,
        'org.watchtower-ts.node': c.nodeVersion,
      },
      Healthcheck: {
        Test: ['CMD', '/watchtower', '--health-check'],
        Interval: 30 * s,
        Timeout: 10 * s,
        StartPeriod: 10 * s,
      },
    },
    rootfs: { type: 'layers', diff_ids: c.diffIds },
    history: [
      {
        created: c.created.toISOString(),
        created_by: `watchtower-ts runtime: node ${c.nodeVersion}, glibc, CA certificates`,
      },
      { created: c.created.toISOString(), created_by: `watchtower-ts ${c.version} (apps/watchtower bundle)` },
    ],
  }
}

/** Reads a layout written by {@link buildImageLayout} back (sizes, descriptors). */
export async function readLayoutIndex(dir: string): Promise<{ index: Descriptor; manifests: Descriptor[] }> {
  const top = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }
  const index = top.manifests[0]
  if (!index || index.mediaType !== MEDIA.index) {
    throw new ImageError('WT_IMAGE_LAYOUT', `${dir}/index.json does not name an image index`)
  }
  const body = JSON.parse(await readFile(blobPath(dir, index.digest), 'utf8')) as { manifests: Descriptor[] }
  return { index, manifests: body.manifests }
}
