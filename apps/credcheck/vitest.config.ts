import { defineProject } from 'vitest/config'

// Workspace packages resolve to their sources (the root config's conditions are not inherited).
const conditions = ['@watchtower-ts/source', 'node', 'module', 'development|production']

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: '@watchtower-ts/credcheck' },
})
