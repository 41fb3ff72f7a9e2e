import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { type NpmRegistry, npmRegistry, pushImage, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { publishablePackages } from './release.ts'

const exec = promisify(execFile)
const root = resolve(import.meta.dirname, '../../..')
const big = { maxBuffer: 64 << 20 }

/** The ```js runnable blocks of a README, as written. */
function runnableBlocks(readme: string): string[] {
  return [...readme.matchAll(/```js runnable\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

// A release as a maintainer makes it and a user meets it: a copy of the workspace takes its first
// versions with `changeset version`, `pnpm release` checks and publishes every package to a real
// npm registry (verdaccio, run by the test bed), and empty projects outside the workspace install
// the packages from there with npm and with pnpm, import them, type-check against them, run each
// README's runnable example against the bed and start the CLIs with npx.
describe('release to a real npm registry', () => {
  const bed = inject('testbed')
  let reg: NpmRegistry
  let work: string
  let consumer: string
  let pnpmConsumer: string
  let names: string[]
  let image: string

  beforeAll(async () => {
    reg = await npmRegistry(bed)
    work = await mkdtemp(join(tmpdir(), 'wt-release-work-'))
    consumer = await mkdtemp(join(tmpdir(), 'wt-release-npm-'))
    pnpmConsumer = await mkdtemp(join(tmpdir(), 'wt-release-pnpm-'))
    // the workspace as committed plus what is not yet (a developer's run), without build output
    await exec(
      'bash',
      ['-c', `git ls-files -co --exclude-standard -z | tar --null -cf - -T - | tar -C '${work}' -xf -`],
      { cwd: root, ...big },
    )
    await exec('pnpm', ['install', '--offline', '--frozen-lockfile', '--ignore-scripts'], {
      cwd: work,
      ...big,
    })
    names = (await publishablePackages(work)).map((p) => p.name)
    image = (
      await pushImage(bed, { registry: 'open', variant: 'v1', repository: uniqueName('readme'), tag: 'v1' })
    ).ref
  }, 900_000)

  afterAll(async () => {
    for (const dir of [work, consumer, pnpmConsumer]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('changeset version gives every package its first version and a changelog', async () => {
    await exec('pnpm', ['exec', 'changeset', 'version'], { cwd: work, ...big })
    for (const pkg of await publishablePackages(work)) {
      expect(pkg.manifest.version, pkg.name).toBe('0.1.0')
      expect(await readFile(join(pkg.dir, 'CHANGELOG.md'), 'utf8'), pkg.name).toContain('## 0.1.0')
    }
  })

  it('pnpm release checks every tarball and publishes every package', async () => {
    await writeFile(join(work, '.npmrc'), reg.npmrc)
    const { stdout } = await exec('pnpm', ['release', '--no-git-tag'], { cwd: work, ...big })
    for (const name of names) expect(stdout).toContain(`${name}: ok`)
    expect(stdout).not.toContain(reg.password)
    const log = await readFile(reg.logFile, 'utf8')
    for (const name of names) expect(log).toContain(`PUT /${name.replace('/', '%2f')}`)
  })

  it('npm view shows the metadata, the licence and a README with a working example', async () => {
    const { stdout } = await exec(
      'npm',
      ['view', '@watchtower-ts/registry-client', '--json', '--registry', reg.url],
      { cwd: tmpdir() },
    )
    const meta = JSON.parse(stdout) as Record<string, unknown>
    expect(meta).toMatchObject({
      name: '@watchtower-ts/registry-client',
      version: '0.1.0',
      license: 'Apache-2.0',
      repository: { type: 'git', directory: 'packages/registry-client' },
    })
    expect(meta.homepage).toBeTruthy()
    expect(meta.bugs).toBeTruthy()
    expect(meta.keywords).toContain('registry')
    const doc = JSON.parse(
      (await exec('curl', ['-sf', `${reg.url}@watchtower-ts%2fregistry-client`])).stdout,
    ) as { readme: string }
    expect(doc.readme).toContain('npm install @watchtower-ts/registry-client')
    expect(runnableBlocks(doc.readme)).toHaveLength(1)
  })

  it('an empty npm project installs every package, imports it and type-checks against it', async () => {
    await writeFile(join(consumer, '.npmrc'), `@watchtower-ts:registry=${reg.url}\n`)
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    await exec(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', '@types/node@24', ...names],
      {
        cwd: consumer,
        ...big,
      },
    )
    const imports = names.map(
      (n) => `console.log(${JSON.stringify(n)}, Object.keys(await import(${JSON.stringify(n)})).length)`,
    )
    await writeFile(join(consumer, 'imports.mjs'), imports.join('\n'))
    const { stdout } = await exec('node', ['imports.mjs'], { cwd: consumer })
    for (const n of names) expect(stdout).toMatch(new RegExp(`${n} [1-9]`))

    const lines = names.map(
      (n, i) => `import * as m${i} from ${JSON.stringify(n)}\nexport type T${i} = typeof m${i}`,
    )
    await writeFile(join(consumer, 'check.ts'), `${lines.join('\n')}\n`)
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    )
    const tsc = await exec('node', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: consumer,
    }).catch((e: { stdout: string }) => e)
    expect(tsc.stdout).toBe('')
  })

  it("runs every package README's runnable example as written", async () => {
    const env = {
      ...process.env,
      IMAGE: image,
      REGISTRY: image.split('/')[0],
      DOCKER_HOST: bed.docker.host,
      DOCKER_CONFIG: join(consumer, '.docker'),
    }
    const expectations: Record<string, RegExp> = {
      '@watchtower-ts/token-cache': /^fetches: 1 1 hit/m,
      '@watchtower-ts/image-reference': /^docker\.io\/library\/nginx:latest registry-1\.docker\.io true$/m,
      '@watchtower-ts/tls': /verification on/,
      '@watchtower-ts/credentials': /anonymous/,
      '@watchtower-ts/registry-client': /sha256:[0-9a-f]{64}/,
      '@watchtower-ts/docker-updater': /^engine .* \(API 1\.\d+\): \d+ running/m,
    }
    for (const [name, expected] of Object.entries(expectations)) {
      const readme = await readFile(join(consumer, 'node_modules', name, 'README.md'), 'utf8')
      const [block] = runnableBlocks(readme)
      expect(block, name).toBeTruthy()
      const file = join(consumer, `example-${name.split('/')[1]}.mjs`)
      await writeFile(file, block!)
      const { stdout } = await exec('node', [file], { cwd: consumer, env, timeout: 60_000 })
      expect(stdout, name).toMatch(expected)
    }
  })

  it('npx runs both CLIs from the registry', async () => {
    const npx = (args: string[]) =>
      exec('npx', ['--yes', ...args], {
        cwd: consumer,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      })
    const started = performance.now()
    const credcheck = await npx(['@watchtower-ts/credcheck', '--version'])
    const credcheckMs = performance.now() - started
    expect(credcheck.stdout.trim()).toBe('credcheck 0.1.0')
    const t2 = performance.now()
    const watchtower = await npx(['@watchtower-ts/watchtower', '--help'])
    const watchtowerMs = performance.now() - t2
    expect(watchtower.stdout).toContain('--run-once')
    console.info(
      `npx start-up (installed): credcheck --version ${credcheckMs.toFixed(0)} ms, watchtower --help ${watchtowerMs.toFixed(0)} ms`,
    )
  })

  it('pnpm installs every package from the registry into an empty project too', async () => {
    await writeFile(join(pnpmConsumer, '.npmrc'), `@watchtower-ts:registry=${reg.url}\n`)
    await writeFile(
      join(pnpmConsumer, 'package.json'),
      JSON.stringify({ name: 'pnpm-consumer', private: true, type: 'module' }),
    )
    // pnpm 10+ asks before running dependencies' install scripts: dockerode's ssh2 (and its optional
    // cpu-features) and protobufjs have some, none needed (the README says so).
    await writeFile(
      join(pnpmConsumer, 'pnpm-workspace.yaml'),
      'allowBuilds:\n  cpu-features: false\n  protobufjs: false\n  ssh2: false\n',
    )
    await exec('pnpm', ['add', ...names], { cwd: pnpmConsumer, ...big })
    const imports = names.map((n) => `await import(${JSON.stringify(n)})`)
    await writeFile(join(pnpmConsumer, 'imports.mjs'), `${imports.join('\n')}\nconsole.log('ok')\n`)
    expect((await exec('node', ['imports.mjs'], { cwd: pnpmConsumer })).stdout.trim()).toBe('ok')
    const bin = await exec(join(pnpmConsumer, 'node_modules/.bin/credcheck'), ['--version'], {
      cwd: pnpmConsumer,
    })
    expect(bin.stdout.trim()).toBe('credcheck 0.1.0')
  })
})
