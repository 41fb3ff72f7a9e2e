import { defineProject } from 'vitest/config'

// Workspace packages resolve to their sources (the root config's conditions are not inherited by
// projects); the defaults are listed again because setting `conditions` replaces them.
const conditions = ['@watchtower-ts/source', 'node', 'module', 'development|production']

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // The root's timeouts are not inherited either; end-to-end tests drive the real engine.
  test: { name: '@watchtower-ts/watchtower', testTimeout: 120_000, hookTimeout: 300_000 },
})
