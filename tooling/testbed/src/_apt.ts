/** Installs what the bed needs from Debian when it is missing (root only). */
import { rm, writeFile } from 'node:fs/promises'
import { exists, run, TestbedError } from './_util.ts'

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
  // the image: skopeo reads the released index, qemu-user-static runs the arm64 node, compose example
  'skopeo',
  'qemu-user-static',
  'docker-compose',
  // proxy tests: a real forward proxy
  'tinyproxy',
  // the status page's browser test (driven by playwright-core, never `playwright install`)
  'chromium',
  // ssh:// engines: a real sshd on loopback (_sshd.ts)
  'openssh-server',
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
  // Keep package scripts from starting services (docker.io would start a dockerd with a bridge).
  const hadPolicy = await exists(POLICY_RC_D)
  if (!hadPolicy) await writeFile(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 })
  try {
    await install(missing)
  } finally {
    if (!hadPolicy) await rm(POLICY_RC_D, { force: true })
  }
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d'

async function install(missing: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  // With recommends, as ENVIRONMENT.md checked (docker.io recommends iptables, used by the isolated engine).
  const attempt = () => run('apt-get', ['install', '-y', ...missing], { env })
  let r = await attempt()
  if (r.code !== 0) {
    const upd = await run('apt-get', ['update'], { env })
    if (upd.code !== 0) {
      throw new TestbedError('WT_TESTBED_APT', `apt-get update failed: ${upd.stderr.trim().slice(-1500)}`)
    }
    r = await attempt()
  }
  const still = await missingPackages()
  if (r.code !== 0 || still.length > 0) {
    throw new TestbedError(
      'WT_TESTBED_APT',
      `apt-get install ${missing.join(' ')} failed (still missing: ${still.join(' ') || 'none'}): ${(r.stderr || r.stdout).trim().slice(-1500)}`,
    )
  }
}
