/**
 * Debian's runtime libraries for an architecture, fetched without installing anything or changing
 * the system's architectures: apt-get with a private state folder (lists, caches) that knows
 * amd64 and arm64, `apt-get download pkg:arch`, `dpkg-deb -x`. The machine's own sources list and
 * mirror are used. Cached: lists are refreshed once a day, a downloaded .deb is reused.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { run, runOk } from './_run.ts'
import { ImageError } from './errors.ts'

export type DebianArch = 'amd64' | 'arm64'

/** The Debian packages holding what node links (glibc, libstdc++, libgcc_s). */
export const RUNTIME_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1'] as const

export interface DebianPackage {
  name: string
  version: string
  arch: DebianArch
  deb: string
}

/** `~/.cache/watchtower-ts/debian` (the machine's suites), `…/debian-<suite>` for another suite. */
export function defaultCacheDir(suite?: string): string {
  return join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'watchtower-ts',
    suite ? `debian-${suite}` : 'debian',
  )
}

/** The machine's Debian mirror (first `URIs:`/`deb` line of its sources), for another suite. */
async function debianMirror(): Promise<string> {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(f, 'utf8').catch(() => '')
    const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)
    if (m?.[1] && !m[1].includes('security')) return m[1]
  }
  return 'http://deb.debian.org/debian'
}

const DAY = 24 * 3600 * 1000

function aptOptions(cache: string, suite?: string): string[] {
  return [
    // Another Debian suite (e.g. trixie): a sources list of its own, the machine's mirror and keys.
    ...(suite
      ? ['-o', `Dir::Etc::sourcelist=${join(cache, 'sources.list')}`, '-o', 'Dir::Etc::sourceparts=-']
      : []),
    '-o',
    'APT::Architectures::=amd64',
    '-o',
    'APT::Architectures::=arm64',
    '-o',
    `Dir::State::Lists=${join(cache, 'lists')}`,
    '-o',
    `Dir::Cache=${join(cache, 'cache')}`,
    '-o',
    `Dir::State::status=${join(cache, 'status')}`,
    '-o',
    'Debug::NoLocking=1',
    '-q',
  ]
}

async function ensureLists(
  cache: string,
  suite: string | undefined,
  log?: (m: string) => void,
): Promise<void> {
  await mkdir(join(cache, 'lists', 'partial'), { recursive: true })
  if (suite) {
    await writeFile(
      join(cache, 'sources.list'),
      `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${await debianMirror()} ${suite} main\n`,
    )
  }
  await mkdir(join(cache, 'cache', 'archives', 'partial'), { recursive: true })
  const stamp = join(cache, 'lists', 'wt-updated')
  const fresh = await stat(stamp).then(
    (s) => Date.now() - s.mtimeMs < DAY,
    () => false,
  )
  if (fresh) return
  log?.(`apt-get update (private state, amd64 + arm64${suite ? `, ${suite}` : ''})`)
  await writeFile(join(cache, 'status'), '', { flag: 'a' })
  await runOk('apt-get', [...aptOptions(cache, suite), 'update'], { timeoutMs: 600_000 }).catch(
    (cause: unknown) => {
      throw new ImageError('WT_IMAGE_APT', `apt-get update with the private state in ${cache} failed`, {
        cause,
      })
    },
  )
  await writeFile(stamp, new Date().toISOString())
}

/** Candidate version of `name:arch` in the private lists. */
async function candidate(
  cache: string,
  suite: string | undefined,
  name: string,
  arch: DebianArch,
): Promise<string> {
  const out = await runOk('apt-cache', [...aptOptions(cache, suite), 'policy', `${name}:${arch}`])
  const m = /Candidate:\s*(\S+)/.exec(out)
  if (!m?.[1] || m[1] === '(none)') {
    throw new ImageError('WT_IMAGE_APT', `no Debian package ${name}:${arch} in the configured sources`)
  }
  return m[1]
}

/** Downloads (or reuses) the .deb files of `packages` for `arch`; returns them with their versions. */
export async function downloadPackages(
  arch: DebianArch,
  packages: readonly string[] = RUNTIME_PACKAGES,
  options: { cacheDir?: string; suite?: string; log?: (m: string) => void } = {},
): Promise<DebianPackage[]> {
  const cache = options.cacheDir ?? defaultCacheDir(options.suite)
  await mkdir(cache, { recursive: true })
  return withLock(join(cache, '.lock'), () => download(cache, options.suite, arch, packages, options.log))
}

/** One apt at a time in the private state (parallel test workers build images too). */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const end = Date.now() + 15 * 60_000
  for (;;) {
    try {
      await mkdir(lock)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if (age > 10 * 60_000) await rm(lock, { recursive: true, force: true }) // left by a killed run
      if (Date.now() > end)
        throw new ImageError('WT_IMAGE_APT', `${lock} is held by another build for too long`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

async function download(
  cache: string,
  suite: string | undefined,
  arch: DebianArch,
  packages: readonly string[],
  log: ((m: string) => void) | undefined,
): Promise<DebianPackage[]> {
  await ensureLists(cache, suite, log)
  const debs = join(cache, 'debs')
  await mkdir(debs, { recursive: true })
  const result: DebianPackage[] = []
  for (const name of packages) {
    const version = await candidate(cache, suite, name, arch)
    // apt-get download names files NAME_VERSION_ARCH.deb with ':' in the version escaped as %3a.
    const file = `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`
    const have = new Set(await readdir(debs))
    if (!have.has(file)) {
      log?.(`apt-get download ${name}:${arch}=${version}`)
      const r = await run(
        'apt-get',
        [...aptOptions(cache, suite), 'download', `${name}:${arch}=${version}`],
        {
          cwd: debs,
          timeoutMs: 600_000,
        },
      )
      if (r.code !== 0 || !(await readdir(debs)).includes(file)) {
        throw new ImageError(
          'WT_IMAGE_APT',
          `apt-get download ${name}:${arch}=${version} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-1500)}`,
        )
      }
    }
    result.push({ name, version, arch, deb: join(debs, file) })
  }
  return result
}

/** `dpkg-deb -x` each package into `dir` (one tree, as if installed). */
export async function extractPackages(packages: readonly DebianPackage[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const p of packages) await runOk('dpkg-deb', ['-x', p.deb, dir])
}
