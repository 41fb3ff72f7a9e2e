import { dockerCli } from './docker-cli.ts'
import type { Testbed } from './types.ts'
import { uniqueName } from './unique-name.ts'

export interface BuildImageOptions {
  /** The tag the image gets. */
  tag: string
  /** The bed image it is built FROM. */
  variant: 'v1' | 'v2'
  /** More Dockerfile lines. */
  lines?: readonly string[]
  /** The engine. @default the bed's main engine */
  host?: string
}

/**
 * A distinct image (its own ID) built FROM the bed's v1/v2, for tests that remove or compare
 * images: the bed's shared images are never touched. Returns the image ID. `--no-cache`: the
 * classic builder's cache probe walks every child of the base image, and the engine is shared
 * with tests that remove images; a build whose intermediate image vanished under it ("unable to
 * find image") is run again.
 */
export async function buildImage(bed: Testbed, options: BuildImageOptions): Promise<string> {
  const { tag, variant, lines = [], host } = options
  const dockerfile = [
    `FROM ${bed.images[variant]}`,
    `LABEL wt.test.unique=${uniqueName('img')}`,
    ...lines,
  ].join('\n')
  const where = host ? { host } : {}
  for (let attempt = 1; ; attempt++) {
    const r = await dockerCli(bed, ['build', '-q', '--no-cache', '-t', tag, '-'], {
      input: dockerfile,
      env: { DOCKER_BUILDKIT: '0' },
      ...where,
    })
    if (r.code === 0) break
    if (attempt >= 3 || !/unable to find image|No such image/i.test(r.stderr))
      throw new Error(`docker build -t ${tag} failed (${r.code}): ${r.stderr.trim()}`)
  }
  const id = await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', tag], {
    reject: true,
    ...where,
  })
  return id.stdout.trim()
}
