#!/usr/bin/env node
// `pnpm image build|release|sizes` (node tooling/image/bin.mjs …).
import { fileURLToPath } from 'node:url'
import { runTsCli } from '../run-ts.mjs'

await runTsCli(fileURLToPath(new URL('./src/cli.ts', import.meta.url)), {
  tag: 'image-cli',
  // everything bundled (the temporary file cannot resolve packages); workspace packages from source
  options: {
    conditions: ['@watchtower-ts/source'],
    // undici is CommonJS: give the ES module bundle a real `require`
    banner: {
      js: "import { createRequire as __wtRequire } from 'node:module'; const require = __wtRequire(import.meta.url);",
    },
  },
})
