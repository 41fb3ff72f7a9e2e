#!/usr/bin/env node
import { existsSync } from 'node:fs'
import module from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

module.enableCompileCache?.()
// A daemon that idles between checks: keep V8's young generation at its initial size instead of
// letting it grow to 3 × 16 MiB after the first busy cycles (a flag V8 reads at every resize), and
// collect garbage once a session is over, so the memory of a busy cycle is handed back while idle.
setFlagsFromString('--semi-space-growth-factor=1')
setFlagsFromString('--expose-gc')
// `gc` exists only in contexts made after the flag: one is made on the first idle moment (a
// --run-once exits before it; the timer does not hold the process).
let gc
const collect = () => {
  gc ??= runInNewContext('gc')
  gc()
}
// The bundle (dist/bin, made by `pnpm build`) loads only what a run needs; tsc's dist is the fallback.
const bundle = new URL('./dist/bin/watchtower.js', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : './dist/index.js')
process.exitCode = await main(process.argv.slice(2), { idle: () => setTimeout(collect, 0).unref() })
