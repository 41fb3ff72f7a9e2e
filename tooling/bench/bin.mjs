#!/usr/bin/env node
// `pnpm bench`: plain node cannot run TypeScript, so esbuild (a root devDependency) bundles
// src/main.ts with the workspace packages' sources (condition `@watchtower-ts/source`) into a
// temporary file first; third-party dependencies stay external, imported by absolute path.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { runTsCli } from '../run-ts.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const entry = join(here, 'src', 'main.ts')

/** Bundle only our own code; resolve everything else where it lives and leave it external. */
const externalDeps = {
  name: 'external-deps',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (
        args.path.startsWith('@watchtower-ts/') ||
        args.path.startsWith('node:') ||
        args.pluginData?.inner
      ) {
        return undefined
      }
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { inner: true },
      })
      if (r.errors.length > 0) return { errors: r.errors }
      return { path: r.path, external: true }
    })
  },
}

/**
 * Same, for an app's bin.js whose `./dist/index.js` is replaced by `./src/index.ts` (no build
 * needed), split at dynamic imports so what the app loads lazily stays lazy. Writes outdir/bin.mjs.
 */
async function bundleApp(bin, outdir) {
  const fromSource = {
    name: 'dist-to-src',
    setup(b) {
      b.onResolve({ filter: /^\.\/dist\/index\.js$/ }, (args) => ({
        path: join(args.resolveDir, 'src', 'index.ts'),
      }))
    },
  }
  await build({
    entryPoints: [bin],
    outdir,
    splitting: true,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['@watchtower-ts/source'],
    plugins: [fromSource, externalDeps],
    logLevel: 'error',
  })
}

await runTsCli(entry, {
  tag: 'bench',
  // The workspace packages' sources are bundled; third-party dependencies stay external.
  options: { conditions: ['@watchtower-ts/source'], plugins: [externalDeps] },
  deps: ({ outfile }) => ({ bundle: outfile, bundleApp }),
})
