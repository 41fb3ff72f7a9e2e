/**
 * The files `apps/watchtower/Dockerfile` reads, as a list of paths relative to the repository
 * root: the workspace projects the CLI bundles (sources and their node_modules links), and only
 * the pnpm store folders those links reach (production dependencies, transitively) plus esbuild.
 * About a tenth of the installed node_modules, so `docker build` gets a small context.
 */
import { lstat, readdir, readFile, realpath } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/** Workspace projects whose sources go into the bundle. */
export const BUNDLED_PROJECTS = ['apps/watchtower', 'packages/*'] as const
/** Top-level entries of a project that never go into the context. */
const SKIP = new Set(['dist', 'node_modules', '.vitest', '.turbo', 'coverage', '.cache'])

export async function buildContextPaths(repoRoot: string): Promise<string[]> {
  const projects = [
    'apps/watchtower',
    ...(await readdir(join(repoRoot, 'packages'))).map((p) => `packages/${p}`).sort(),
  ]
  const paths = new Set<string>(['package.json', 'tsconfig.base.json', 'node_modules/esbuild'])
  const store = new Set<string>()
  await addStoreDir(repoRoot, await realpath(join(repoRoot, 'node_modules/esbuild')), store)
  for (const project of projects) {
    const dir = join(repoRoot, project)
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
      optionalDependencies?: Record<string, string>
    }
    for (const entry of await readdir(dir)) if (!SKIP.has(entry)) paths.add(`${project}/${entry}`)
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const link = join(dir, 'node_modules', name)
      const target = await realpath(link).catch(() => undefined)
      if (!target) continue
      paths.add(relative(repoRoot, link))
      await addStoreDir(repoRoot, target, store)
    }
  }
  return [...paths, ...[...store].sort()]
}

/** Adds `node_modules/.pnpm/<id>` holding `target` and, transitively, those its links reach. */
async function addStoreDir(repoRoot: string, target: string, store: Set<string>): Promise<void> {
  const rel = relative(repoRoot, target).split(sep)
  if (rel[0] !== 'node_modules' || rel[1] !== '.pnpm' || !rel[2]) return // a workspace project
  const id = `node_modules/.pnpm/${rel[2]}`
  if (store.has(id)) return
  store.add(id)
  const nm = join(repoRoot, id, 'node_modules')
  for (const entry of await readdir(nm)) {
    const names = entry.startsWith('@')
      ? (await readdir(join(nm, entry))).map((n) => `${entry}/${n}`)
      : [entry]
    for (const name of names) {
      const p = join(nm, name)
      if (!(await lstat(p)).isSymbolicLink()) continue
      const t = await realpath(p).catch(() => undefined)
      if (t) await addStoreDir(repoRoot, t, store)
    }
  }
}
