import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

// Project configs do not inherit the root config's `resolve` or test timeouts, so every project
// is defined through this: workspace packages resolve to their sources (the defaults are listed
// again because setting `conditions` replaces them), and tests that drive the real engine and
// registries get room on a busy 2-core machine.
const conditions = ['@watchtower-ts/source', 'node', 'module', 'development|production']

export function defineWorkspaceProject(name: string, test: NonNullable<UserWorkspaceConfig['test']> = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: { name, testTimeout: 120_000, hookTimeout: 300_000, ...test },
  })
}
