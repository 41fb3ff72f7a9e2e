#!/usr/bin/env node
// `pnpm lint` step: tests stay apart from shipped code.
// - every test file is named by its tier: <name>.test.ts (unit), .mock.test.ts (undici MockAgent),
//   .bed.test.ts (the real test bed), .e2e.test.ts (a whole CLI against the bed);
// - a test that reaches the test bed says so in its name (.bed or .e2e);
// - no shipped file (apps/*/src, packages/*/src, not a test) imports vitest, the test bed,
//   @watchtower-ts/test-utils, a test/ folder or tooling/.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.includes('node_modules/'))

const TEST = /\.test\.[mc]?[jt]s$/
const TIER_NAME = /^_?[a-z0-9][a-z0-9-]*(\.(mock|bed|e2e))?\.test\.ts$/
const USES_BED = /inject\(\s*['"]testbed['"]\s*\)|from '@watchtower-ts\/testbed'|\/test\/(e2e-)?bed\.ts'/
const TEST_ONLY_IMPORT =
  /from ['"](vitest|@watchtower-ts\/(testbed|test-utils)|[./]+\/(test|tooling)\/[^'"]*)['"]|import\(['"]@watchtower-ts\/(testbed|test-utils)['"]\)/

const problems = []
for (const file of files) {
  const base = file.split('/').pop()
  if (TEST.test(base)) {
    if (!TIER_NAME.test(base))
      problems.push(`${file}: a test file is named <name>[.mock|.bed|.e2e].test.ts (its tier)`)
    else if (!/\.(bed|e2e)\.test\.ts$/.test(base) && USES_BED.test(readFileSync(file, 'utf8')))
      problems.push(`${file}: reaches the test bed: name it <name>.bed.test.ts (or .e2e.test.ts)`)
    continue
  }
  if (/^(apps|packages)\/[^/]+\/src\//.test(file)) {
    const m = TEST_ONLY_IMPORT.exec(readFileSync(file, 'utf8'))
    if (m) problems.push(`${file}: shipped code imports test-only ${m[0]}`)
  }
}
for (const p of problems) process.stderr.write(`${p}\n`)
if (problems.length > 0) {
  process.stderr.write(`test layout: ${problems.length} problem(s)\n`)
  process.exit(1)
}
process.stdout.write(`test layout: ${files.filter((f) => TEST.test(f)).length} test files named by tier\n`)
