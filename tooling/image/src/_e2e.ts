/** Test helpers: build the image once per file, run it like the reference doc, read containers back. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dockerCli, type RunResult, type Testbed } from '@watchtower-ts/testbed'
import { type BuiltImage, buildWatchtowerImage } from './build-image.ts'

export function engineEnv(bed: Testbed): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: bed.docker.host }
}

/** Builds the image under `tag` (cached layers make a rebuild of unchanged sources quick). */
export function buildImage(bed: Testbed, tag: string, buildId?: string): Promise<BuiltImage> {
  return buildWatchtowerImage({ tag, env: engineEnv(bed), ...(buildId ? { buildId } : {}) })
}

export interface ContainerJson {
  Id: string
  Name: string
  Image: string
  State: { Running: boolean; Status: string; Health?: { Status: string } }
  Config: { Image: string; Env: string[]; Labels: Record<string, string>; Cmd: string[] | null }
  HostConfig: { NetworkMode: string; RestartPolicy: { Name: string } }
}

export async function inspectContainer(bed: Testbed, name: string): Promise<ContainerJson> {
  const r = await dockerCli(bed, ['container', 'inspect', name], { reject: true })
  return (JSON.parse(r.stdout) as ContainerJson[])[0] as ContainerJson
}

export async function imageId(bed: Testbed, ref: string): Promise<string> {
  return (
    await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: true })
  ).stdout.trim()
}

/** `docker run --rm --network host -v <engine socket>:/var/run/docker.sock … <image> <args>`. */
export function runWatchtowerContainer(
  bed: Testbed,
  image: string,
  args: readonly string[],
  options: { volumes?: string[]; env?: string[] } = {},
): Promise<RunResult> {
  return dockerCli(
    bed,
    [
      'run',
      '--rm',
      '--network',
      'host',
      '-v',
      `${bed.docker.socketPath}:/var/run/docker.sock`,
      ...(options.volumes ?? []).flatMap((v) => ['-v', v]),
      ...(options.env ?? []).flatMap((e) => ['-e', e]),
      image,
      ...args,
    ],
    { timeoutMs: 180_000 },
  )
}

/** The bed's config.json (alice's `auths` for the basic and token registries). */
export async function bedConfigJson(bed: Testbed): Promise<string> {
  const file = join(bed.dockerConfigDir, 'config.json')
  await readFile(file) // fails early, naming the file, when the bed did not write it
  return file
}
