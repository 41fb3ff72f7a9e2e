#!/usr/bin/env node
// `pnpm demo`: the test bed's helpers it uses are bundled from their TypeScript sources.
import { fileURLToPath } from 'node:url'
import { runTsCli } from '../run-ts.mjs'

await runTsCli(fileURLToPath(new URL('./src/demo.ts', import.meta.url)), {
  tag: 'demo',
  // esbuild stays a package; the workspace's TypeScript (the test bed's helpers) is bundled.
  options: { external: ['esbuild'], conditions: ['@watchtower-ts/source'] },
  deps: ({ build }) => build,
})
