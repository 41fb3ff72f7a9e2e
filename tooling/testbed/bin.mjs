#!/usr/bin/env node
// `pnpm testbed up|down|status`.
import { fileURLToPath } from 'node:url'
import { runTsCli } from '../run-ts.mjs'

await runTsCli(fileURLToPath(new URL('./src/cli.ts', import.meta.url)), {
  tag: 'testbed-cli',
  options: { packages: 'external' },
})
