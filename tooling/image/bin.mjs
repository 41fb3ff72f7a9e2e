#!/usr/bin/env node
// `node tooling/image/bin.mjs base|build`.
import { fileURLToPath } from 'node:url'
import { runTsCli } from '../run-ts.mjs'

await runTsCli(fileURLToPath(new URL('./src/cli.ts', import.meta.url)), {
  tag: 'image-cli',
  options: { packages: 'external' },
})
