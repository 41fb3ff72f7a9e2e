// The tooling CLIs (`pnpm testbed`, `pnpm demo`, `pnpm bench`, `node tooling/image/bin.mjs`) are
// TypeScript, which plain node cannot run (Node 24 strips types only from files outside node_modules, without tsconfig paths): esbuild (a root devDependency) bundles the entry
// into a temporary file (~50 ms), which is imported and its `main(argv, deps)` run.
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

/**
 * @param {string} entry absolute path of the TypeScript entry; it exports `main(argv, deps)`.
 * @param {{ tag: string, options?: import('esbuild').BuildOptions, deps?: (ctx: { outfile: string, build: typeof build }) => unknown }} how
 *   `options` are merged into the build (e.g. `packages: 'external'`); `deps` makes main's second argument.
 */
export async function runTsCli(entry, { tag, options = {}, deps }) {
  const outfile = join(tmpdir(), `wt-${tag}-${process.pid}.mjs`)
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'error',
    // Files next to the sources (the token server, REPO_ROOT) are found relative to src/, not to
    // the bundle in the temporary folder.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
    ...options,
  })
  try {
    const { main } = await import(pathToFileURL(outfile).href)
    process.exitCode = await main(process.argv.slice(2), deps?.({ outfile, build }))
  } finally {
    await rm(outfile, { force: true })
  }
}
