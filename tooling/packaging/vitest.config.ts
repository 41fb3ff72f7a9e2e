import { defineProject } from 'vitest/config'

export default defineProject({
  // Projects do not inherit the root's timeouts: building, packing and `npm install` take minutes.
  test: { name: '@watchtower-ts/packaging', testTimeout: 120_000, hookTimeout: 600_000 },
})
