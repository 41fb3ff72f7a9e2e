/**
 * A Node base image made from this machine's own files, tagged with the real base image's name
 * (`node:20-slim`) so `apps/watchtower/Dockerfile` builds `FROM` it unchanged where no registry
 * is reachable. Same layout as the Debian (bookworm, merged /usr) slim image: node in
 * /usr/local/bin, glibc and libstdc++ in /usr/lib/x86_64-linux-gnu, the loader in /usr/lib64,
 * /bin, /lib, /lib64 and /sbin as links into /usr, a `node` user (1000). busybox stands in for
 * dash and coreutils (`sh`, `ln`, ...); npm and yarn are left out (the image never needs them).
 */
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { run, runOk, tarImport } from './_run.ts'
import { ImageError } from './errors.ts'

/** Label holding the fingerprint of what went into the image (checked before rebuilding). */
export const BASE_FINGERPRINT_LABEL = 'org.watchtower-ts.base-fingerprint'
/** Bump when the layout below changes, so existing images are remade. */
const LAYOUT_VERSION = '1'

export interface NodeBaseImageOptions {
  /** Name and tag to give the image; the Dockerfile's `FROM`. @default 'node:20-slim' */
  name?: string
  /** Environment for the docker CLI (DOCKER_HOST). @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default '/usr/bin/node' */
  nodeBinary?: string
  /** A static busybox (Debian busybox-static). @default '/bin/busybox' */
  busybox?: string
  /** @default '/etc/ssl/certs/ca-certificates.crt' */
  caBundle?: string
  /** Folder for the temporary root file system. @default os.tmpdir() */
  workDir?: string
  /** Remake the image even when an up-to-date one exists. @default false */
  force?: boolean
  /** Progress lines. @default no output */
  log?: (line: string) => void
}

export interface NodeBaseImage {
  name: string
  id: string
  /** False when an up-to-date image was already there. */
  created: boolean
  nodeVersion: string
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Makes the base image unless an image of that name was already made from the same files. */
export async function ensureNodeBaseImage(options: NodeBaseImageOptions = {}): Promise<NodeBaseImage> {
  const name = options.name ?? 'node:20-slim'
  const env = options.env ?? process.env
  const nodeBinary = options.nodeBinary ?? '/usr/bin/node'
  const busybox = options.busybox ?? '/bin/busybox'
  const caBundle = options.caBundle ?? '/etc/ssl/certs/ca-certificates.crt'
  const nodeVersion = await versionOf(nodeBinary)
  const fingerprint = await fingerprintOf([nodeBinary, busybox, caBundle], nodeVersion)
  if (!options.force) {
    const r = await run(
      'docker',
      ['image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${BASE_FINGERPRINT_LABEL}"}}`, name],
      { env },
    )
    const [id, label] = r.stdout.trim().split(' ')
    if (r.code === 0 && id && label === fingerprint) return { name, id, created: false, nodeVersion }
  }
  options.log?.(`making ${name} from ${nodeBinary} (node ${nodeVersion})`)
  const root = await mkdtemp(join(options.workDir ?? tmpdir(), 'wt-node-base-'))
  try {
    await layout(root, { nodeBinary, busybox, caBundle })
    const id = await tarImport(
      root,
      [
        `ENV PATH=${PATH}`,
        `ENV NODE_VERSION=${nodeVersion.replace(/^v/, '')}`,
        `LABEL ${BASE_FINGERPRINT_LABEL}=${fingerprint}`,
        'CMD ["node"]',
      ],
      name,
      env,
    )
    return { name, id, created: true, nodeVersion }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

async function versionOf(nodeBinary: string): Promise<string> {
  const r = await run(nodeBinary, ['--version']).catch((cause: unknown) => {
    throw new ImageError('WT_IMAGE_NODE_BINARY', `cannot run the node binary ${nodeBinary}`, { cause })
  })
  if (r.code !== 0 || !/^v\d+\./.test(r.stdout.trim())) {
    throw new ImageError(
      'WT_IMAGE_NODE_BINARY',
      `${nodeBinary} --version did not print a node version (exit ${r.code}): ${r.stdout.trim()}`,
    )
  }
  return r.stdout.trim()
}

async function fingerprintOf(files: readonly string[], nodeVersion: string): Promise<string> {
  const h = createHash('sha256').update(`${LAYOUT_VERSION}\n${nodeVersion}\n`)
  for (const f of files) {
    const s = await stat(f).catch((cause: unknown) => {
      throw new ImageError('WT_IMAGE_NODE_BINARY', `${f} is needed for the base image but cannot be read`, {
        cause,
      })
    })
    h.update(`${f}\n${s.size}\n${s.mtimeMs}\n`)
  }
  return h.digest('hex').slice(0, 32)
}

/** Shared libraries `ldd` lists for `binary` (absolute paths, loader included). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await runOk('ldd', [binary]).catch((cause: unknown) => {
    throw new ImageError('WT_IMAGE_LDD', `ldd ${binary} failed: is it a dynamically linked program?`, {
      cause,
    })
  })
  const libs = new Set<string>()
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line)
    if (m?.[1]) libs.add(m[1])
  }
  if (libs.size === 0)
    throw new ImageError('WT_IMAGE_LDD', `ldd ${binary} listed no libraries: ${out.trim()}`)
  return [...libs]
}

/** Path inside the merged-/usr image for a host library path (`/lib/x…` → `/usr/lib/x…`). */
export function imagePathFor(hostPath: string): string {
  return /^\/(lib|lib64|bin|sbin)\//.test(hostPath) ? `/usr${hostPath}` : hostPath
}

async function put(root: string, from: string, to: string, mode?: number): Promise<void> {
  const dest = join(root, to)
  await mkdir(dirname(dest), { recursive: true })
  await copyFile(await realpath(from), dest)
  if (mode !== undefined) await chmod(dest, mode)
}

async function layout(
  root: string,
  files: { nodeBinary: string; busybox: string; caBundle: string },
): Promise<void> {
  for (const d of [
    'usr/bin',
    'usr/sbin',
    'usr/lib',
    'usr/lib64',
    'usr/local/bin',
    'etc',
    'root',
    'home/node',
  ]) {
    await mkdir(join(root, d), { recursive: true })
  }
  for (const d of ['bin', 'sbin', 'lib', 'lib64']) await symlink(`usr/${d}`, join(root, d))
  await mkdir(join(root, 'tmp'))
  await chmod(join(root, 'tmp'), 0o1777)
  await put(root, files.nodeBinary, '/usr/local/bin/node', 0o755)
  for (const lib of await sharedLibraries(files.nodeBinary)) await put(root, lib, imagePathFor(lib))
  await put(root, files.busybox, '/usr/bin/busybox', 0o755)
  const applets = (await runOk(files.busybox, ['--list'])).split('\n').filter((a) => a && a !== 'busybox')
  await Promise.all(applets.map((a) => symlink('busybox', join(root, 'usr/bin', a))))
  await put(root, files.caBundle, '/etc/ssl/certs/ca-certificates.crt', 0o644)
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  )
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n')
  await writeFile(
    join(root, 'etc/hosts'),
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  )
  await writeFile(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n')
}
