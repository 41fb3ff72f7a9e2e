#!/usr/bin/env node
import * as nodeModule from 'node:module'

// Node >= 22.1 only; a no-op on Node 20.
nodeModule.enableCompileCache?.()
const { main } = await import('./dist/main.js')
process.exitCode = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: Date.now,
})
