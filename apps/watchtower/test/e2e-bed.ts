// End-to-end helpers: the real engine and registries of the test bed.
import { buildImage, dockerCli, type RegistryName, type Testbed, uniqueName } from '@watchtower-ts/testbed'
import { inject } from 'vitest'
import type { CliDeps } from '../src/deps.ts'
import { sleep } from '../src/deps.ts'
import { main } from '../src/index.ts'
import { testDeps } from './cli-deps.ts'

export const bed: Testbed = inject('testbed')
export { uniqueName }

export async function docker(args: readonly string[], input?: string): Promise<string> {
  const r = await dockerCli(bed, args, { reject: true, ...(input ? { input } : {}) })
  return r.stdout.trim()
}

/** Builds a unique image from the bed's v1/v2 (so removing it never touches another test's image). */
export function build(tag: string, variant: 'v1' | 'v2', lines: readonly string[] = []): Promise<string> {
  return buildImage(bed, { tag, variant, lines })
}

/** Builds and pushes `repo:tag` to a bed registry; returns the ref and image id. */
export async function publish(registry: RegistryName, repo: string, variant: 'v1' | 'v2', tag = 'latest') {
  const ref = `${bed.registries[registry].host}/${repo}:${tag}`
  const id = await build(ref, variant)
  await docker(['push', ref])
  return { ref, id }
}

export async function run(name: string, ref: string, labels: Record<string, string> = {}): Promise<string> {
  const l = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
  return docker(['run', '-d', '--network', 'none', '--name', name, ...l, ref])
}

export async function imageOf(name: string): Promise<string> {
  return docker(['inspect', '--format', '{{.Image}}', name])
}

export async function imageExists(id: string): Promise<boolean> {
  return (await dockerCli(bed, ['image', 'inspect', id])).code === 0
}

export async function cleanupPrefix(prefix: string): Promise<void> {
  const names = (await docker(['ps', '-a', '--format', '{{.Names}}']))
    .split('\n')
    .filter((n) => n.startsWith(prefix))
  if (names.length) await dockerCli(bed, ['rm', '-f', '-v', ...names])
  const out = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])
  const refs = out.split('\n').filter((r) => r.includes(prefix) && !r.endsWith(':<none>'))
  if (refs.length) await dockerCli(bed, ['rmi', '-f', ...refs])
}

/** Runs the watchtower CLI in process against the bed's engine. */
export async function watchtower(args: readonly string[], over: Partial<CliDeps> = {}) {
  const deps = testDeps({
    env: { PATH: process.env.PATH, DOCKER_HOST: bed.docker.host, DOCKER_CONFIG: bed.dockerConfigDir },
    now: Date.now,
    sleep,
    ...over,
  })
  const code = await main(['--registry-ca', bed.tls.caCert, '--log-format', 'logfmt', ...args], deps)
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, deps }
}
