/** `node tooling/image/bin.mjs base|build`: make the Node base image, build the watchtower image. */
import { parseArgs } from 'node:util'
import { ensureNodeBaseImage } from './base-image.ts'
import { buildWatchtowerImage } from './build-image.ts'
import { ImageError } from './errors.ts'

const USAGE = `usage: node tooling/image/bin.mjs <base|build> [options]
  base   make the node base image from this machine's node (when missing or out of date)
         --name NAME:TAG     image name (default node:20-slim)   --force   remake it
  build  build apps/watchtower/Dockerfile (makes the base image first when missing)
         --tag NAME:TAG      image tag (default watchtower-ts:local)
         --build-id TEXT     org.watchtower-ts.build label (a new image from the same sources)
         --quiet             no builder output
env: DOCKER_HOST (the engine to use)`

const log = (m: string) => process.stderr.write(`[image] ${m}\n`)

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        force: { type: 'boolean' },
        tag: { type: 'string' },
        'build-id': { type: 'string' },
        quiet: { type: 'boolean' },
      },
    })
    switch (command) {
      case 'base': {
        const base = await ensureNodeBaseImage({
          ...(values.name ? { name: values.name } : {}),
          force: values.force ?? false,
          log,
        })
        console.log(
          `${base.name} ${base.id} (node ${base.nodeVersion}${base.created ? ', made now' : ', up to date'})`,
        )
        return 0
      }
      case 'build': {
        const image = await buildWatchtowerImage({
          ...(values.tag ? { tag: values.tag } : {}),
          ...(values['build-id'] ? { buildId: values['build-id'] } : {}),
          log: values.quiet ? (m) => (m.startsWith('made ') ? log(m) : undefined) : log,
        })
        console.log(`${image.tag} ${image.id} ${(image.sizeBytes / 1e6).toFixed(1)} MB`)
        return 0
      }
      default:
        console.error(USAGE)
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2
    }
  } catch (err) {
    if (err instanceof ImageError) {
      console.error(`image: ${err.message} [${err.code}]`)
      return 1
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`image: ${err.message}\n${USAGE}`)
      return 2
    }
    throw err
  }
}
