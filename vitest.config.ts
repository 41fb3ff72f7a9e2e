import { defineConfig } from 'vitest/config'

// One run for the whole workspace: every package and app is a project, and
// the test bed (real dockerd, registries, token server, TLS material) is
// brought up once by the global setup and handed to tests via `inject('testbed')`.
export default defineConfig({
  resolve: { conditions: ['@watchtower-ts/source'] },
  ssr: { resolve: { conditions: ['@watchtower-ts/source'] } },
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
    globalSetup: ['./tooling/testbed/src/global-setup.ts'],
    restoreMocks: true,
    testTimeout: 60_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
})
