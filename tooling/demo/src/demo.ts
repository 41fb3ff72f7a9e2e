/**
 * `pnpm demo`: the test bed's token registry (TLS from a private CA, bearer tokens, alice's
 * credentials in a config.json), a container running v1 of an image, v2 pushed to the same tag,
 * then one `watchtower --run-once` that finds and applies the update. Prints every step and the
 * equivalent command; leaves only the bed running (and stops it too when the demo started it,
 * unless WT_TESTBED_KEEP=1).
 */
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWatchtowerImage } from '@watchtower-ts/image'
import { dockerCli, pushImage, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { builtCli, bundledCli, type DemoCli, type EsbuildBuild } from './_cli.ts'
import { stream } from './_proc.ts'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export interface DemoOptions {
  /** esbuild's `build`, to bundle the CLI from its sources. */
  esbuild: EsbuildBuild
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** Where the demo prints. @default process.stdout */
  write?: (text: string) => void
  /** @default the repository holding this package */
  repoRoot?: string
  /** ANSI bold/colours. @default stdout is a TTY and NO_COLOR is unset */
  color?: boolean
  /** Run `node apps/watchtower/bin.js` (after `pnpm build`) instead of bundling the CLI from its sources. @default false */
  built?: boolean
  /**
   * Run watchtower as a container instead: build the image (tooling/image: node 24, assembled from files; tagged
   * `watchtower-ts:demo`) and `docker run` it as the reference doc shows. @default false
   */
  container?: boolean
}

export interface DemoResult {
  ok: boolean
  container: string
  before: string
  after: string
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const env = options.env ?? process.env
  const repoRoot = options.repoRoot ?? REPO_ROOT
  const write = options.write ?? ((t: string) => void process.stdout.write(t))
  const say = (t = '') => write(`${t}\n`)
  const color = options.color ?? (process.stdout.isTTY === true && !env['NO_COLOR'])
  const paint = (code: string, t: string) => (color ? `\x1b[${code}m${t}\x1b[0m` : t)
  const step = (n: number, t: string) => say(`\n${paint('1', `[${n}/6] ${t}`)}`)
  const cmd = (t: string) => say(`    $ ${t}`)
  const out = (t: string) => say(`    │ ${t}`)
  const testbedBin = join(repoRoot, 'tooling/testbed/bin.mjs')

  step(1, 'Test bed: a real dockerd, a token registry behind a private CA, a token server')
  const wasUp = (await stream(process.execPath, [testbedBin, 'status'], { env })).code === 0
  cmd('pnpm testbed up')
  const up = await stream(process.execPath, [testbedBin, 'up'], { env, onLine: out })
  if (up.code !== 0) throw new Error(`the test bed did not come up (exit ${up.code})`)
  const bed = await readBed(env)
  const registry = bed.registries.token
  const dockerEnv = { DOCKER_HOST: bed.docker.host, DOCKER_CONFIG: bed.dockerConfigDir }

  const name = uniqueName('demo-app')
  const repository = `alice/${name}`
  let cli: DemoCli | undefined
  let ref = ''
  const digests: string[] = []
  try {
    step(2, `Push v1 of an image to the token registry (${registry.url}) as alice`)
    ref = `${registry.host}/${repository}:latest`
    cmd(`docker push ${ref}`)
    const v1 = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: 'latest' })
    digests.push(v1.digest)
    out(`digest ${v1.digest}`)

    step(3, 'Start a container from it')
    cmd(`docker run -d --name ${name} --network none --label demo=watchtower-ts ${ref}`)
    await dockerCli(
      bed,
      ['run', '-d', '--name', name, '--network', 'none', '--label', 'demo=watchtower-ts', ref],
      {
        reject: true,
      },
    )
    const before = await version(bed, name)
    out(`${name} runs ${before} (image ${await shortImage(bed, name)})`)

    step(4, 'Push v2 to the same tag (the running container still has v1)')
    cmd(`docker push ${ref}`)
    const v2 = await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: 'latest' })
    digests.push(v2.digest)
    await dockerCli(bed, ['tag', bed.images.v1, ref], { reject: true }) // only a pull may bring v2 here
    out(`digest ${v2.digest}`)

    step(5, 'Run watchtower once: it asks the registry, pulls v2 and recreates the container')
    const args = ['--run-once', name]
    let run: { code: number }
    if (options.container) {
      cmd('pnpm image build --tag watchtower-ts:demo')
      const image = await buildWatchtowerImage({
        tag: 'watchtower-ts:demo',
        env: { ...env, ...dockerEnv },
        repoRoot,
      })
      out(`${image.tag} ${image.id.slice(7, 19)} ${(image.sizeBytes / 1e6).toFixed(1)} MB`)
      const docker = [
        'run',
        '--rm',
        '--network',
        'host',
        '-v',
        `${bed.docker.socketPath}:/var/run/docker.sock`,
        '-v',
        `${join(bed.dockerConfigDir, 'config.json')}:/config.json:ro`,
        '-v',
        `${bed.tls.caCert}:/certs/ca.pem:ro`,
        '-e',
        'WATCHTOWER_REGISTRY_CA=/certs/ca.pem',
        image.tag,
        ...args,
      ]
      cmd(`docker ${docker.slice(0, -args.length - 1).join(' ')} \\`)
      say(`      ${image.tag} ${args.join(' ')}`)
      run = await stream('docker', docker, { env: { ...env, ...dockerEnv }, onLine: out })
    } else {
      cli = options.built ? builtCli(repoRoot) : await bundledCli(repoRoot, options.esbuild)
      const cliArgs = ['--registry-ca', bed.tls.caCert, ...args]
      cmd(`DOCKER_HOST=${bed.docker.host} DOCKER_CONFIG=${bed.dockerConfigDir} \\`)
      say(`      ${cli.display} ${cliArgs.join(' ')}`)
      const [node = process.execPath, ...script] = cli.command
      run = await stream(node, [...script, ...cliArgs], { env: { ...env, ...dockerEnv }, onLine: out })
    }

    step(6, 'Check the container')
    const after = await version(bed, name)
    cmd(`docker exec ${name} cat /version`)
    out(`${name} runs ${after} (image ${await shortImage(bed, name)})`)
    const label = (
      await dockerCli(bed, ['container', 'inspect', '--format', '{{index .Config.Labels "demo"}}', name])
    ).stdout.trim()
    out(`label demo=${label}, network ${await networkMode(bed, name)}`)
    const ok = run.code === 0 && before === 'v1' && after === 'v2' && label === 'watchtower-ts'
    say(
      ok
        ? `\n${paint('32', '✔ watchtower updated the container from v1 to v2, same name and settings.')}`
        : `\n${paint('31', `✘ the container was not updated (watchtower exit ${run.code}, now ${after}).`)}`,
    )
    return { ok, container: name, before, after }
  } finally {
    await cli?.dispose()
    await dockerCli(bed, ['rm', '-f', name])
    // The tag and the repository@digest names the pushes left on the bed's v1/v2 images.
    if (ref)
      await dockerCli(bed, ['image', 'rm', ref, ...digests.map((d) => `${registry.host}/${repository}@${d}`)])
    say(`\nRemoved ${name} and its image.`)
    if (!wasUp && env['WT_TESTBED_KEEP'] !== '1') {
      await stream(process.execPath, [testbedBin, 'down'], { env })
      say('Stopped the test bed (WT_TESTBED_KEEP=1 leaves it running).')
    } else {
      say(
        `The test bed stays up (${wasUp ? 'it was up before the demo' : 'WT_TESTBED_KEEP=1'}): pnpm testbed down stops it.`,
      )
    }
  }
}

async function readBed(env: NodeJS.ProcessEnv): Promise<Testbed> {
  const dir = env['WT_TESTBED_DIR'] || join(tmpdir(), 'watchtower-ts-testbed')
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { bed?: Testbed }
  if (!state.bed) throw new Error(`${dir}/state.json holds no test bed: run pnpm testbed up`)
  return state.bed
}

async function version(bed: Testbed, name: string): Promise<string> {
  return (await dockerCli(bed, ['exec', name, 'cat', '/version'])).stdout.trim() || '?'
}

async function networkMode(bed: Testbed, name: string): Promise<string> {
  const r = await dockerCli(bed, ['container', 'inspect', '--format', '{{.HostConfig.NetworkMode}}', name])
  return r.stdout.trim()
}

async function shortImage(bed: Testbed, name: string): Promise<string> {
  const r = await dockerCli(bed, ['container', 'inspect', '--format', '{{.Image}}', name])
  return r.stdout
    .trim()
    .replace(/^sha256:/, '')
    .slice(0, 12)
}

const USAGE = `usage: pnpm demo [--container | --built]
  (default)    run the watchtower CLI bundled from its sources
  --container  build the container image and run watchtower with docker run, as the reference doc shows
  --built      run node apps/watchtower/bin.js (after pnpm build)
env: WT_TESTBED_KEEP=1 leaves the test bed running when the demo started it`

export async function main(args: string[], esbuild: EsbuildBuild): Promise<number> {
  const known = new Set(['--built', '--container', '--help', '-h'])
  const unknown = args.find((a) => !known.has(a))
  if (unknown !== undefined || args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${unknown === undefined ? '' : `demo: unknown argument ${unknown}\n`}${USAGE}\n`)
    return unknown === undefined ? 0 : 2
  }
  const r = await runDemo({
    built: args.includes('--built'),
    container: args.includes('--container'),
    esbuild,
  })
  return r.ok ? 0 : 1
}
