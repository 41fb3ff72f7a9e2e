import { defineProject } from 'vitest/config'

export default defineProject({
  // Real-engine tests recreate containers and wait for stops and health checks.
  test: { name: '@watchtower-ts/docker-updater', testTimeout: 120_000, hookTimeout: 300_000 },
})
