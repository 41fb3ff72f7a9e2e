#!/usr/bin/env node
// `node tooling/image/bin.mjs base|build`: plain node cannot run TypeScript, so esbuild (a root
// devDependency) bundles src/cli.ts into a temporary file first (~50 ms).
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const entry = join(dirname(fileURLToPath(import.meta.url)), 'src', 'cli.ts')
const outfile = join(tmpdir(), `wt-image-cli-${process.pid}.mjs`)
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
  // REPO_ROOT is found relative to src/, not to the bundle.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
})
try {
  const { main } = await import(pathToFileURL(outfile).href)
  process.exitCode = await main(process.argv.slice(2))
} finally {
  await rm(outfile, { force: true })
}
