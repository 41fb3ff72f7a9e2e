#!/usr/bin/env node
// `pnpm demo`: plain node cannot run TypeScript, so esbuild (a root devDependency) bundles
// src/demo.ts (and the test bed's helpers it uses) into a temporary file first.
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const entry = join(dirname(fileURLToPath(import.meta.url)), 'src', 'demo.ts')
const outfile = join(tmpdir(), `wt-demo-${process.pid}.mjs`)
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // esbuild stays a package; the workspace's TypeScript (the test bed's helpers) is bundled.
  external: ['esbuild'],
  conditions: ['@watchtower-ts/source'],
  logLevel: 'error',
  // REPO_ROOT is found relative to src/, not to the bundle.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
})
try {
  const { main } = await import(pathToFileURL(outfile).href)
  process.exitCode = await main(process.argv.slice(2), build)
} finally {
  await rm(outfile, { force: true })
}
