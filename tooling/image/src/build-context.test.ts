import { describe, expect, it } from 'vitest'
import { buildContextPaths } from './build-context.ts'
import { REPO_ROOT } from './build-image.ts'

describe('buildContextPaths (this repository)', () => {
  it('sends the bundled projects, their production dependencies and esbuild only', async () => {
    const paths = await buildContextPaths(REPO_ROOT)
    expect(paths).toContain('apps/watchtower/src')
    expect(paths).toContain('apps/watchtower/package.json')
    expect(paths).toContain('packages/docker-updater/src')
    expect(paths).toContain('node_modules/esbuild')
    expect(paths.some((p) => /^node_modules\/\.pnpm\/@esbuild\+linux-x64@/.test(p))).toBe(true)
    expect(paths.some((p) => /^node_modules\/\.pnpm\/dockerode@/.test(p))).toBe(true)
    expect(paths.some((p) => /^node_modules\/\.pnpm\/pino@/.test(p))).toBe(true)
    // Development tools and build output stay out.
    for (const dev of ['vitest@', 'typescript@', '@biomejs+biome@', 'turbo@', 'smtp-server@']) {
      expect(paths.filter((p) => p.startsWith(`node_modules/.pnpm/${dev}`))).toEqual([])
    }
    expect(paths.filter((p) => /\/(dist|\.vitest|\.turbo)$/.test(p))).toEqual([])
    expect(new Set(paths).size).toBe(paths.length)
  })
})
