import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkTarball } from './release.ts'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../../..')

interface Manifest {
  name: string
  private?: boolean
  bin?: Record<string, string>
  exports: Record<string, unknown>
  files: string[]
}

async function publishable(): Promise<{ dir: string; manifest: Manifest }[]> {
  const out: { dir: string; manifest: Manifest }[] = []
  for (const group of ['packages', 'apps']) {
    for (const name of await readdir(join(root, group))) {
      const dir = join(root, group, name)
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest
      if (!manifest.private) out.push({ dir, manifest })
    }
  }
  return out
}

// Builds every package, packs it with `pnpm pack` (which rewrites workspace:^ ranges),
// installs all tarballs into an empty project in a temp folder (no workspace, no source
// condition) and imports each with plain node, then type-checks an import of each.
describe('published shape', () => {
  let project: string
  const packs: { dir: string; manifest: Manifest; tarball: string }[] = []

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'wt-pack-'))
    await run('pnpm', ['-r', '--filter', './packages/*', '--filter', './apps/*', 'run', 'build'], {
      cwd: root,
      maxBuffer: 64 << 20,
    })
    for (const p of await publishable()) {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', project], { cwd: p.dir })
      const tarball = stdout.trim().split('\n').pop()!.trim()
      packs.push({ ...p, tarball: resolve(project, tarball) })
    }
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '@types/node@20',
        ...packs.map((p) => p.tarball),
      ],
      {
        cwd: project,
        maxBuffer: 64 << 20,
      },
    )
  }, 600_000)

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true })
  })

  it('packs every package with only its dist, package.json and README', async () => {
    expect(packs.map((p) => p.manifest.name).sort()).toEqual([
      '@watchtower-ts/credcheck',
      '@watchtower-ts/credentials',
      '@watchtower-ts/docker-updater',
      '@watchtower-ts/image-reference',
      '@watchtower-ts/registry-client',
      '@watchtower-ts/tls',
      '@watchtower-ts/token-cache',
      '@watchtower-ts/watchtower',
    ])
    for (const p of packs) {
      const { stdout } = await run('tar', ['-tzf', p.tarball])
      const files = stdout.trim().split('\n')
      expect(files, p.manifest.name).toContain('package/package.json')
      expect(files, p.manifest.name).toContain('package/README.md')
      expect(files, p.manifest.name).toContain('package/dist/index.js')
      expect(files, p.manifest.name).toContain('package/dist/index.d.ts')
      expect(
        files.filter((f) => f.startsWith('package/src/')),
        p.manifest.name,
      ).toEqual([])
      expect(
        files.filter((f) => f.endsWith('.test.js')),
        p.manifest.name,
      ).toEqual([])
      const packed = JSON.parse((await run('tar', ['-xzOf', p.tarball, 'package/package.json'])).stdout)
      expect(JSON.stringify(packed), p.manifest.name).not.toContain('workspace:')
    }
  })

  it('every tarball passes publint --strict, attw and the manifest rules (as pnpm release checks)', async () => {
    for (const p of packs) expect(await checkTarball(root, p.manifest.name, p.tarball)).toEqual([])
  })

  it('the watchtower CLI is not bundled for npm: its dependencies install, no inlined copies ship', async () => {
    const p = packs.find((x) => x.manifest.name === '@watchtower-ts/watchtower')!
    const { stdout } = await run('tar', ['-tzf', p.tarball])
    expect(stdout.split('\n').filter((f) => f.startsWith('package/dist/bin/'))).toEqual([])
  })

  it('imports every package with plain node outside the workspace', async () => {
    const script = packs
      .map(
        (p) =>
          `{ const m = await import(${JSON.stringify(p.manifest.name)}); console.log(${JSON.stringify(p.manifest.name)}, Object.keys(m).sort().join(',')) }`,
      )
      .join('\n')
    await writeFile(join(project, 'check.mjs'), script)
    const { stdout } = await run('node', ['check.mjs'], { cwd: project })
    for (const p of packs) expect(stdout).toContain(p.manifest.name)
  })

  it('type-checks an import of every package from its published types', async () => {
    const lines = packs.map(
      (p, i) => `import * as m${i} from ${JSON.stringify(p.manifest.name)}\nexport type T${i} = typeof m${i}`,
    )
    await writeFile(join(project, 'check.ts'), `${lines.join('\n')}\n`)
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    )
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const result = await run('node', [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch(
      (e: { stdout: string }) => e,
    )
    expect((result as { stdout: string }).stdout).toBe('')
  })

  it('runs the CLIs from their installed bins', async () => {
    for (const p of packs.filter((x) => x.manifest.bin)) {
      for (const bin of Object.keys(p.manifest.bin!)) {
        const { stdout } = await run(join(project, 'node_modules/.bin', bin), ['--version'], { cwd: project })
        expect(stdout.trim(), bin).toMatch(/\d+\.\d+\.\d+/)
      }
    }
  })
})
