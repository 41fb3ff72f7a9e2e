// Bundles the CLI into dist/bin/ for bin.js: ES modules split at every dynamic import (what a run
// does not need is never loaded), workspace packages from their sources (tree-shaken: they are
// side-effect free), third-party packages inlined. ssh2 (docker-modem's ssh:// transport) is
// loaded only when an ssh:// host is used. Run by `pnpm build` after tsc.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
// `node bundle.mjs [--outdir DIR]` (the image build bundles into a folder of its own)
const outArg = process.argv.indexOf('--outdir')
const outdir =
  outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]) : join(here, 'dist/bin')
// WATCHTOWER_VERSION (the image release script sets it) overrides package.json's version.
const version =
  process.env.WATCHTOWER_VERSION || JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).version

/**
 * CommonJS modules a run on a unix or tcp host never calls, required by their parents: docker-modem's
 * ssh:// transport (ssh2), dockerode's BuildKit session (gRPC) and its BuildKit progress reader
 * (protobufjs; pulls use docker-modem's). Each becomes a stub that requires the real module on its
 * first call, from a CommonJS bundle of its own in dist/bin/lazy/ (so their ~1 MB of source is not
 * even read by a run that does not call them).
 */
const LAZY = [
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, request: './ssh', file: 'ssh.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, request: './session', file: 'session.js' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, request: './buildkit', file: 'buildkit.js' },
]

/**
 * With code splitting esbuild ignores `"sideEffects": false`, so importing parseReference from the
 * registry client's index would load undici and zod for `--help`: take it from its own file.
 */
const registryReference = join(here, '../../packages/registry-client/src/reference.ts')

/**
 * What the packages use of undici (Agent, ProxyAgent, buildConnector, Dispatcher with its request
 * API), without undici's index: that loads fetch, WebSocket, cookies and the mock agents, and its
 * cookies module reads `globalThis.Headers`, which makes Node load its own bundled copy of undici
 * too (about 50 ms of every start-up together). The packages' own builds keep the whole of undici.
 */
const undiciRoot = dirname(
  createRequire(join(here, '../../packages/tls/package.json')).resolve('undici/package.json'),
)
const UNDICI_SLIM = [
  "const Dispatcher = require('./lib/dispatcher/dispatcher')",
  "Object.assign(Dispatcher.prototype, require('./lib/api'))",
  'module.exports = {',
  '  Dispatcher,',
  "  Agent: require('./lib/dispatcher/agent'),",
  "  ProxyAgent: require('./lib/dispatcher/proxy-agent'),",
  "  buildConnector: require('./lib/core/connect'),",
  '}',
].join('\n')

const lazyRequires = {
  name: 'watchtower-lazy',
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session|buildkit)$/ }, (args) => {
      const lazy = LAZY.find((l) => l.request === args.path && l.importer.test(args.importer))
      if (!lazy) return undefined
      const file = join(dirname(args.importer), lazy.file)
      // a path relative to the app, so the bundle names no build machine's folders
      return { path: relative(here, file), namespace: 'watchtower-lazy', pluginData: { file } }
    })
    b.onLoad({ filter: /.*/, namespace: 'watchtower-lazy' }, (args) => {
      const name = basename(args.pluginData.file, '.js')
      // `require` and `__dirname` are the banner's: the chunk's folder (dist/bin or dist/bin/chunks)
      return {
        contents: [
          "const { basename, join } = require('node:path')",
          `const lazy = () => require(join(__dirname, basename(__dirname) === 'chunks' ? '..' : '.', 'lazy', '${name}.cjs'))`,
          // buildkit.js exports { followProgress }; ssh.js and session.js one function each
          name === 'buildkit'
            ? 'module.exports = { followProgress() { return lazy().followProgress.apply(this, arguments) } }'
            : 'module.exports = function () { return lazy().apply(this, arguments) }',
        ].join('\n'),
        resolveDir: dirname(args.pluginData.file),
        loader: 'js',
      }
    })
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'watchtower-undici' }))
    b.onLoad({ filter: /.*/, namespace: 'watchtower-undici' }, () => ({
      contents: UNDICI_SLIM,
      resolveDir: undiciRoot,
      loader: 'js',
    }))
    b.onResolve({ filter: /^@watchtower-ts\/registry-client$/ }, (args) =>
      /[\\/]src[\\/]config[\\/]resolve\.ts$/.test(args.importer) ? { path: registryReference } : undefined,
    )
  },
}

rmSync(outdir, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints: { watchtower: join(here, 'src/main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
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
  metafile: true,
  // paths in the bundle and the metafile are relative to this folder, wherever it is run from
  absWorkingDir: here,
})

// The lazily required modules (LAZY above), each a CommonJS bundle of its own in dist/bin/lazy/.
const lazyInputs = {}
for (const [input, info] of Object.entries(metafile.inputs)) {
  for (const imp of info.imports) {
    const lazy = LAZY.find((l) => imp.original === l.request && l.importer.test(input))
    if (lazy) lazyInputs[basename(lazy.file, '.js')] = join(here, dirname(input), lazy.file)
  }
}
if (Object.keys(lazyInputs).length !== LAZY.length) {
  throw new Error(
    `bundle.mjs: expected ${LAZY.length} lazily required modules, found ${Object.keys(lazyInputs)}`,
  )
}
const lazyBuild = await build({
  entryPoints: lazyInputs,
  outdir: join(outdir, 'lazy'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  external: ['*.node'],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: here,
})
for (const [input, info] of Object.entries(lazyBuild.metafile.inputs)) metafile.inputs[input] ??= info

/**
 * Third-party code goes into the bundle without its legal comments: keep each bundled package's
 * licence text (LICENSE*, COPYING*, NOTICE*) in dist/bin/THIRD-PARTY-LICENSES.txt instead.
 */
function packageRootOf(input) {
  const parts = input.split(/[\\/]/)
  const i = parts.lastIndexOf('node_modules')
  if (i < 0) return undefined
  const n = parts[i + 1]?.startsWith('@') ? 3 : 2
  return parts.slice(0, i + n).join('/')
}
const roots = new Set()
for (const input of Object.keys(metafile.inputs)) {
  const root = packageRootOf(input.replace(/^watchtower-lazy:/, ''))
  if (root) roots.add(root)
}
const notices = []
for (const root of roots) {
  const dir = join(here, root)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^(licen[cs]e|copying|notice)/i.test(f))
        .sort()
    : []
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').trim())
  const license = typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license ?? 'UNKNOWN')
  notices.push({
    id: `${pkg.name}@${pkg.version}`,
    text: `${pkg.name}@${pkg.version} (${license})\n${texts.join('\n\n') || `No licence file in the package; its package.json says: ${license}`}`,
  })
}
notices.sort((a, b) => a.id.localeCompare(b.id))
writeFileSync(
  join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `Third-party packages bundled into dist/bin (${notices.length}):\n${notices.map((n) => `  ${n.id}`).join('\n')}\n\n${notices.map((n) => `${'='.repeat(78)}\n${n.text}\n`).join('\n')}`,
)
