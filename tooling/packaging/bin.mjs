#!/usr/bin/env node
// `pnpm release` (see src/release.ts): esbuild bundles the TypeScript entry, then runs it.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runTsCli } from '../run-ts.mjs'

const here = dirname(fileURLToPath(import.meta.url))

await runTsCli(join(here, 'src', 'release.ts'), {
  tag: 'release',
  options: { packages: 'external' },
  deps: () => ({ root: resolve(here, '../..'), stdout: process.stdout, stderr: process.stderr }),
})
