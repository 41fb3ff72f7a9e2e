/** Installs what the bed needs from Debian when it is missing (root only). */
import { run, TestbedError } from './_util.ts'

export const DEBIAN_PACKAGES = [
  'docker.io',
  'docker-registry',
  'golang-docker-credential-helpers',
  'pass',
  'gnupg',
  'apache2-utils',
  'busybox-static',
  'openssl',
  'iproute2',
] as const

/** Packages of `wanted` that dpkg does not report as installed. */
export async function missingPackages(wanted: readonly string[] = DEBIAN_PACKAGES): Promise<string[]> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const r = await run('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...wanted])
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0]),
  )
  return wanted.filter((p) => !installed.has(p))
}

export async function ensurePackages(log: (msg: string) => void): Promise<void> {
  const missing = await missingPackages()
  if (missing.length === 0) return
  if (process.getuid?.() !== 0) {
    throw new TestbedError(
      'WT_TESTBED_NOT_ROOT',
      `the test bed needs these Debian packages: ${missing.join(' ')}; run as root (it installs them) or install them: apt-get install -y ${missing.join(' ')}`,
    )
  }
  log(`installing ${missing.join(' ')}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env })
  let r = await install()
  if (r.code !== 0) {
    const upd = await run('apt-get', ['update'], { env })
    if (upd.code !== 0) {
      throw new TestbedError('WT_TESTBED_APT', `apt-get update failed: ${upd.stderr.trim().slice(-1500)}`)
    }
    r = await install()
  }
  const still = await missingPackages()
  if (r.code !== 0 || still.length > 0) {
    throw new TestbedError(
      'WT_TESTBED_APT',
      `apt-get install ${missing.join(' ')} failed (still missing: ${still.join(' ') || 'none'}): ${(r.stderr || r.stdout).trim().slice(-1500)}`,
    )
  }
}
