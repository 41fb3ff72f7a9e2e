#!/usr/bin/env node
// `pnpm testbed up|down|status`: plain node cannot run the bed's TypeScript, so esbuild (a root
// devDependency) bundles src/cli.ts into a temporary file first (~50 ms).
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const entry = join(dirname(fileURLToPath(import.meta.url)), 'src', 'cli.ts')
const outfile = join(tmpdir(), `wt-testbed-cli-${process.pid}.mjs`)
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
  // Files next to the sources (token-server.mjs) are found relative to src/, not to the bundle.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
})
try {
  const { main } = await import(pathToFileURL(outfile).href)
  process.exitCode = await main(process.argv.slice(2))
} finally {
  await rm(outfile, { force: true })
}
