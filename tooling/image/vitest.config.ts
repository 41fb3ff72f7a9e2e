import { defineProject } from 'vitest/config'

export default defineProject({
  // The root's timeouts are not inherited: these tests build images and drive the real engine.
  test: { name: '@watchtower-ts/image', testTimeout: 300_000, hookTimeout: 300_000 },
})
