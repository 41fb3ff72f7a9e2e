/** The bed's images: busybox-static in a rootfs, `docker import`ed, v1 and v2 differ in /version. */

import { spawn } from 'node:child_process'
import { chmod, copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run, runOk, TestbedError } from './_util.ts'

export const IMAGES = { v1: 'wt-testbed/app:v1', v2: 'wt-testbed/app:v2' } as const
const LABEL = 'wt-testbed.variant'
const BUSYBOX = '/bin/busybox'
/** Exits at once on SIGTERM (sleep as PID 1 would ignore it). */
const CMD = 'CMD ["sh","-c","trap \\"exit 0\\" TERM; while :; do sleep 1; done"]'

async function hasImage(env: NodeJS.ProcessEnv, ref: string, variant: string): Promise<boolean> {
  const r = await run(
    'docker',
    ['image', 'inspect', '--format', `{{index .Config.Labels "${LABEL}"}}`, ref],
    { env },
  )
  return r.code === 0 && r.stdout.trim() === variant
}

async function buildImage(env: NodeJS.ProcessEnv, dir: string, variant: 'v1' | 'v2'): Promise<void> {
  const root = join(dir, 'rootfs', variant)
  await rm(root, { recursive: true, force: true })
  for (const d of ['bin', 'tmp', 'etc']) await mkdir(join(root, d), { recursive: true })
  await copyFile(BUSYBOX, join(root, 'bin', 'busybox'))
  await chmod(join(root, 'bin', 'busybox'), 0o755)
  const applets = (await runOk(BUSYBOX, ['--list'])).split('\n').filter((a) => a && a !== 'busybox')
  await Promise.all(applets.map((a) => symlink('busybox', join(root, 'bin', a))))
  await writeFile(join(root, 'version'), `${variant}\n`)
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n')
  const ref = IMAGES[variant]
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const imp = spawn('docker', ['import', '-c', CMD, '-c', `LABEL ${LABEL}=${variant}`, '-', ref], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let err = ''
    imp.stderr.on('data', (d) => {
      err += d
    })
    tar.stdout.pipe(imp.stdin)
    imp.on('error', reject)
    imp.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new TestbedError('WT_TESTBED_IMAGE', `docker import of ${ref} failed (${code}): ${err.trim()}`),
          ),
    )
  })
}

/** Builds v1 / v2 only when missing from the engine. */
export async function ensureImages(dockerHost: string, dir: string): Promise<{ v1: string; v2: string }> {
  const env = { ...process.env, DOCKER_HOST: dockerHost }
  for (const variant of ['v1', 'v2'] as const) {
    if (!(await hasImage(env, IMAGES[variant], variant))) await buildImage(env, dir, variant)
  }
  return { ...IMAGES }
}
