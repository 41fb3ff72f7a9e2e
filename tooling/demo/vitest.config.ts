import { defineProject } from 'vitest/config'

export default defineProject({
  // The root's timeouts are not inherited: the demo builds the CLI and drives the real engine.
  test: { name: '@watchtower-ts/demo', testTimeout: 300_000, hookTimeout: 300_000 },
})
