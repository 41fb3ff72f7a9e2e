/**
 * Docker Engine 26.1 for the bed without installing it: Debian trixie's `docker.io` (26.1.5, API
 * 1.45) and `containerd` (1.7) are fetched with `apt-get download` through a sources list and
 * package lists of their own (the machine's apt setup is untouched), unpacked with `dpkg-deb -x`
 * under `<bed>/engine26/root`, and kept there (a later bring-up reuses them). Trixie's runc needs
 * a newer glibc than bookworm's, so dockerd runs with bookworm's `/usr/sbin/runc` as its runtime.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exists, run, TestbedError } from './_util.ts'

export const ENGINE26_PACKAGES = ['docker.io', 'containerd'] as const
const MIRROR = 'http://deb.debian.org/debian'
const SUITE = 'trixie'
/** bookworm's runc (the docker.io 20.10 package brings it). */
const RUNC = '/usr/sbin/runc'

export interface Engine26Files {
  dockerd: string
  /** PATH with the unpacked binaries first (containerd, its shims, docker-proxy). */
  path: string
  /** Extra dockerd arguments (the runtime). */
  args: string[]
}

/** Downloads (once) and unpacks (once) the engine 26 packages under `<dir>/engine26`. */
export async function ensureEngine26Files(dir: string): Promise<Engine26Files> {
  const base = join(dir, 'engine26')
  const root = join(base, 'root')
  const files: Engine26Files = {
    dockerd: join(root, 'usr/sbin/dockerd'),
    path: `${join(root, 'usr/sbin')}:${join(root, 'usr/bin')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    args: ['--add-runtime', `bookworm-runc=${RUNC}`, '--default-runtime', 'bookworm-runc'],
  }
  if (!(await exists(RUNC))) {
    throw new TestbedError(
      'WT_TESTBED_ENGINE26',
      `${RUNC} is missing: the engine 26 runs with bookworm's runc (apt-get install runc)`,
    )
  }
  if ((await exists(files.dockerd)) && (await exists(join(root, 'usr/bin/containerd')))) return files
  const debs = join(base, 'debs')
  for (const d of [debs, join(base, 'lists', 'partial'), join(base, 'cache', 'archives', 'partial')])
    await mkdir(d, { recursive: true })
  const have = async () => (await readdir(debs)).filter((f) => f.endsWith('.deb'))
  const cached = await have()
  if (ENGINE26_PACKAGES.some((p) => !cached.some((f) => f.startsWith(`${p}_`)))) {
    const sources = join(base, 'sources.list')
    await writeFile(
      sources,
      `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${MIRROR} ${SUITE} main\n`,
    )
    const apt = [
      '-o',
      `Dir::Etc::sourcelist=${sources}`,
      '-o',
      'Dir::Etc::sourceparts=-',
      '-o',
      `Dir::State::Lists=${join(base, 'lists')}`,
      '-o',
      `Dir::Cache=${join(base, 'cache')}`,
      '-o',
      'APT::Sandbox::User=root',
    ]
    const update = await run('apt-get', [...apt, 'update'], { timeoutMs: 300_000 })
    if (update.code !== 0) {
      throw new TestbedError(
        'WT_TESTBED_ENGINE26',
        `apt-get update (trixie, ${sources}) failed: ${update.stderr.trim().slice(-1500)}`,
      )
    }
    const dl = await run('apt-get', [...apt, 'download', ...ENGINE26_PACKAGES], {
      cwd: debs,
      timeoutMs: 600_000,
    })
    if (dl.code !== 0) {
      throw new TestbedError(
        'WT_TESTBED_ENGINE26',
        `apt-get download ${ENGINE26_PACKAGES.join(' ')} (trixie) failed: ${dl.stderr.trim().slice(-1500)}`,
      )
    }
  }
  await rm(root, { recursive: true, force: true })
  await mkdir(root, { recursive: true })
  for (const deb of await have()) {
    const x = await run('dpkg-deb', ['-x', join(debs, deb), root])
    if (x.code !== 0)
      throw new TestbedError('WT_TESTBED_ENGINE26', `dpkg-deb -x ${deb} failed: ${x.stderr.trim()}`)
  }
  if (!(await exists(files.dockerd))) {
    throw new TestbedError(
      'WT_TESTBED_ENGINE26',
      `no usr/sbin/dockerd in the unpacked packages under ${root}`,
    )
  }
  return files
}

/**
 * The swarm's engine spec for Docker Engine 26.1 (`swarmCluster(bed, { engine })`): the same build
 * `modernEngine` runs, downloaded once into the bed folder.
 */
export async function swarmEngine26(bed: { dir: string }): Promise<{
  name: string
  dockerd: string
  args: string[]
  env: Record<string, string>
}> {
  const files = await ensureEngine26Files(bed.dir)
  return { name: 'd26', dockerd: files.dockerd, args: files.args, env: { PATH: files.path } }
}
