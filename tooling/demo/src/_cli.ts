/** The watchtower CLI for the demo: bundled from its sources (what the container image ships), or the built bin.js. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { build as esbuildBuild } from 'esbuild'

/** esbuild's `build` (handed in: the bundled demo cannot resolve packages from a temporary folder). */
export type EsbuildBuild = typeof esbuildBuild

/** What makes a bundled ES module behave like the CommonJS its dependencies expect (as in the Dockerfile). */
const BANNER = [
  "import { createRequire as __wtRequire } from 'node:module';",
  "import { fileURLToPath as __wtPath } from 'node:url';",
  "import { dirname as __wtDirname } from 'node:path';",
  'const require = __wtRequire(import.meta.url);',
  'const __filename = __wtPath(import.meta.url);',
  'const __dirname = __wtDirname(__filename);',
].join(' ')

export interface DemoCli {
  /** argv prefix: `[node, file]`. */
  command: string[]
  /** How the demo shows it. */
  display: string
  dispose(): Promise<void>
}

/** Bundles apps/watchtower/src into one temporary file (~1 s). */
export async function bundledCli(repoRoot: string, build: EsbuildBuild): Promise<DemoCli> {
  const dir = await mkdtemp(join(tmpdir(), 'wt-demo-cli-'))
  const outfile = join(dir, 'watchtower.mjs')
  await build({
    stdin: {
      contents:
        "import { main } from './apps/watchtower/src/index.ts'\nprocess.exitCode = await main(process.argv.slice(2))\n",
      resolveDir: repoRoot,
      sourcefile: 'watchtower.ts',
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['@watchtower-ts/source'],
    external: ['*.node'],
    banner: { js: BANNER },
    logLevel: 'error',
  })
  return {
    command: [process.execPath, outfile],
    display: 'watchtower',
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}

/** `node apps/watchtower/bin.js` (needs `pnpm build` first). */
export function builtCli(repoRoot: string): DemoCli {
  return {
    command: [process.execPath, join(repoRoot, 'apps/watchtower/bin.js')],
    display: 'node apps/watchtower/bin.js',
    dispose: async () => {},
  }
}
