import { defineProject } from 'vitest/config'

export default defineProject({
  // Projects do not inherit the root's test options: real engines on a busy 2-core machine need time.
  test: { name: '@watchtower-ts/testbed', testTimeout: 120_000, hookTimeout: 300_000 },
})
