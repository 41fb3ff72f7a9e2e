// Bundles the CLI into dist/bin/ for bin.js: ES modules split at every dynamic import (what a run
// does not need is never loaded), workspace packages from their sources (tree-shaken: they are
// side-effect free), third-party packages inlined. ssh2 (docker-modem's ssh:// transport) is
// loaded only when an ssh:// host is used. Run by `pnpm build` after tsc.
import { readFileSync, rmSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
// `node bundle.mjs DIR` bundles into DIR instead (tests run the real CLI from a bundle of their own).
const outdir = process.argv[2] ? resolve(process.argv[2]) : join(here, 'dist/bin')
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))

/**
 * CommonJS modules exporting one function that a run on a unix or tcp host never calls, required
 * eagerly by their parents: docker-modem's ssh:// transport (ssh2) and dockerode's BuildKit session
 * (gRPC). Each becomes a stub that requires the real module on its first call.
 */
const LAZY = [
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, request: './ssh', file: 'ssh.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, request: './session', file: 'session.js' },
]

/**
 * With code splitting esbuild ignores `"sideEffects": false`, so importing parseReference from the
 * registry client's index would load undici and zod for `--help`: take it from its own file.
 */
const registryReference = join(here, '../../packages/registry-client/src/reference.ts')

const lazyRequires = {
  name: 'watchtower-lazy',
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session)$/ }, (args) => {
      const lazy = LAZY.find((l) => l.request === args.path && l.importer.test(args.importer))
      if (!lazy) return undefined
      const file = join(dirname(args.importer), lazy.file)
      // a path relative to the app, so the bundle names no build machine's folders
      return { path: relative(here, file), namespace: 'watchtower-lazy', pluginData: { file } }
    })
    b.onLoad({ filter: /.*/, namespace: 'watchtower-lazy' }, (args) => ({
      contents: `module.exports = function () { return require('./${basename(args.pluginData.file)}').apply(this, arguments) }\n`,
      resolveDir: dirname(args.pluginData.file),
      loader: 'js',
    }))
    b.onResolve({ filter: /^@watchtower-ts\/registry-client$/ }, (args) =>
      /[\\/]src[\\/]config[\\/]resolve\.ts$/.test(args.importer) ? { path: registryReference } : undefined,
    )
  },
}

rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { watchtower: join(here, 'src/index.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@watchtower-ts/source'],
  external: ['*.node'],
  define: { WATCHTOWER_VERSION: JSON.stringify(version) },
  // CommonJS dependencies get a real `require`, `__filename` and `__dirname` (ssh2 reads its wasm)
  banner: {
    js: [
      "import { createRequire as __wtRequire } from 'node:module'",
      "import { fileURLToPath as __wtPath } from 'node:url'",
      "import { dirname as __wtDirname } from 'node:path'",
      'const require = __wtRequire(import.meta.url)',
      'const __filename = __wtPath(import.meta.url)',
      'const __dirname = __wtDirname(__filename)',
    ].join('; '),
  },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  // smaller sources to parse and keep in the heap; names stay (error classes, stack traces)
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [lazyRequires],
})
