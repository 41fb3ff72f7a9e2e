/**
 * `pnpm release`: builds every publishable package, packs each as npm would receive it and checks
 * the tarball (`publint --strict`, `@arethetypeswrong/cli`, no source-condition entry, no
 * `workspace:` range, a LICENSE), then publishes with `changeset publish` to whatever registry the
 * npm configuration names. `--dry-run` stops after the checks. Other arguments go to
 * `changeset publish` (e.g. `--no-git-tag`, `--tag next`).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export interface Publishable {
  dir: string
  name: string
  manifest: Record<string, unknown>
}

/** Every package under packages/ and apps/ that is not private. */
export async function publishablePackages(root: string): Promise<Publishable[]> {
  const out: Publishable[] = []
  for (const group of ['packages', 'apps']) {
    for (const entry of (await readdir(join(root, group))).sort()) {
      const dir = join(root, group, entry)
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >
      if (!manifest.private) out.push({ dir, name: String(manifest.name), manifest })
    }
  }
  return out
}

/** `pnpm pack` (which applies publishConfig and rewrites workspace: ranges); returns the tarball path. */
export async function packPackage(pkg: Publishable, dest: string): Promise<string> {
  const { stdout } = await exec('pnpm', ['pack', '--pack-destination', dest], { cwd: pkg.dir })
  return resolve(dest, stdout.trim().split('\n').pop()!.trim())
}

export interface TarballProblem {
  name: string
  check: string
  detail: string
}

/** Everything wrong with one packed tarball, as found by publint, attw and our own rules. */
export async function checkTarball(root: string, name: string, tarball: string): Promise<TarballProblem[]> {
  const problems: TarballProblem[] = []
  const bin = (tool: string) => join(root, 'node_modules/.bin', tool)
  const tool = async (check: string, cmd: string, args: string[]) => {
    const r = await exec(cmd, args, { cwd: root, maxBuffer: 16 << 20 }).then(
      () => undefined,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`.trim(),
    )
    if (r !== undefined) problems.push({ name, check, detail: r })
  }
  await tool('publint --strict', bin('publint'), ['--strict', tarball])
  // ESM-only packages: attw's esm-only profile ignores what `require()` from CommonJS would see.
  await tool('attw', bin('attw'), ['--profile', 'esm-only', '--format', 'ascii', tarball])
  const files = (await exec('tar', ['-tzf', tarball])).stdout.trim().split('\n')
  if (!files.includes('package/LICENSE')) problems.push({ name, check: 'license', detail: 'no LICENSE file' })
  const packed = (await exec('tar', ['-xzOf', tarball, 'package/package.json'])).stdout
  if (packed.includes('workspace:'))
    problems.push({ name, check: 'manifest', detail: 'a workspace: range was left in package.json' })
  if (packed.includes('@watchtower-ts/source') || packed.includes('./src/'))
    problems.push({
      name,
      check: 'manifest',
      detail: 'package.json points into src/, which is not published',
    })
  return problems
}

/** Builds, packs and checks every publishable package; returns the problems found (none: ready). */
export async function buildAndCheck(root: string, log: (line: string) => void): Promise<TarballProblem[]> {
  log('release: building every package')
  await exec('pnpm', ['-r', '--filter', './packages/*', '--filter', './apps/*', 'run', 'build'], {
    cwd: root,
    maxBuffer: 64 << 20,
  })
  const dest = await mkdtemp(join(tmpdir(), 'wt-release-'))
  try {
    const problems: TarballProblem[] = []
    for (const pkg of await publishablePackages(root)) {
      const tarball = await packPackage(pkg, dest)
      const found = await checkTarball(root, pkg.name, tarball)
      log(`release: ${pkg.name}: ${found.length === 0 ? 'ok' : `${found.length} problem(s)`}`)
      problems.push(...found)
    }
    return problems
  } finally {
    await rm(dest, { recursive: true, force: true })
  }
}

export interface MainDeps {
  root: string
  stdout: { write(s: string): unknown }
  stderr: { write(s: string): unknown }
}

export async function main(argv: string[], deps: MainDeps): Promise<number> {
  const dryRun = argv.includes('--dry-run')
  const rest = argv.filter((a) => a !== '--dry-run' && a !== '--')
  const problems = await buildAndCheck(deps.root, (l) => deps.stdout.write(`${l}\n`))
  if (problems.length > 0) {
    for (const p of problems) deps.stderr.write(`release: ${p.name}: ${p.check}:\n${p.detail}\n`)
    return 1
  }
  if (dryRun) {
    deps.stdout.write('release: checks passed (--dry-run: nothing published)\n')
    return 0
  }
  const r = await exec('pnpm', ['exec', 'changeset', 'publish', ...rest], {
    cwd: deps.root,
    maxBuffer: 64 << 20,
  }).then(
    (x) => ({ code: 0, out: `${x.stdout}${x.stderr}` }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  )
  deps.stdout.write(r.out)
  return r.code
}
