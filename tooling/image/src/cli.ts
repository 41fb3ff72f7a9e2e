/** `pnpm image build|release|sizes` (node tooling/image/bin.mjs …). */
import { parseArgs } from 'node:util'
import { buildWatchtowerImage, engineArchitecture } from './build-image.ts'
import { ImageError } from './errors.ts'
import {
  ALL_ARCHITECTURES,
  type Architecture,
  buildImageLayout,
  defaultOutDir,
  type ImageLayout,
} from './layout.ts'
import { pushLayout } from './release.ts'
import { layoutSizes } from './sizes.ts'

const USAGE = `usage: pnpm image <build|release|sizes> [options]
  build    assemble the image (OCI layout: linux/amd64 + linux/arm64) and load the engine's
           platform into the engine
           --tag NAME:TAG      tag in the engine (default watchtower-ts:local)
           --build-id TEXT     org.watchtower-ts.build label (a new image from the same sources)
           --platform LIST     linux/amd64,linux/arm64 (default both)
           --out DIR           the OCI layout (default tooling/image/.out/oci)
           --no-load           only write the layout
  release  build both platforms and push the index to a registry as VERSION, MAJOR.MINOR, latest
           --registry HOST:PORT   --version X.Y.Z   [--repository NAME (default watchtower-ts)]
           [--docker-config DIR (holds config.json; default $DOCKER_CONFIG or ~/.docker)]
           [--registry-ca FILE]   [--out DIR]
  sizes    compressed and unpacked size of each platform in a layout (--out DIR)
env: DOCKER_HOST (the engine to load into)`

const log = (m: string) => process.stderr.write(`[image] ${m}\n`)

function platforms(value: string | undefined): Architecture[] {
  if (!value) return [...ALL_ARCHITECTURES]
  return value.split(',').map((p) => {
    const arch = p.trim().replace(/^linux\//, '')
    if (arch !== 'amd64' && arch !== 'arm64') {
      throw new ImageError(
        'WT_IMAGE_USAGE',
        `--platform ${p}: only linux/amd64 and linux/arm64 (no Node 24 for arm/v7)`,
      )
    }
    return arch
  })
}

function printSizes(layout: ImageLayout): void {
  for (const i of layout.images) {
    console.log(
      `linux/${i.architecture}  ${(i.compressedBytes / 1e6).toFixed(1)} MB compressed  ${(i.unpackedBytes / 1e6).toFixed(1)} MB unpacked  ${i.manifest.digest}`,
    )
  }
  console.log(`index ${layout.index.digest} in ${layout.dir}`)
}

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        tag: { type: 'string' },
        'build-id': { type: 'string' },
        platform: { type: 'string' },
        out: { type: 'string' },
        'no-load': { type: 'boolean' },
        registry: { type: 'string' },
        version: { type: 'string' },
        repository: { type: 'string' },
        'docker-config': { type: 'string' },
        'registry-ca': { type: 'string' },
        quiet: { type: 'boolean' },
      },
    })
    const progress = values.quiet ? undefined : log
    const outDir = values.out ?? defaultOutDir()
    switch (command) {
      case 'build': {
        const archs = platforms(values.platform)
        if (values['no-load']) {
          printSizes(
            await buildImageLayout({
              outDir,
              architectures: archs,
              ...(values['build-id'] ? { buildId: values['build-id'] } : {}),
              ...(progress ? { log: progress } : {}),
            }),
          )
          return 0
        }
        const image = await buildWatchtowerImage({
          ...(values.tag ? { tag: values.tag } : {}),
          ...(values['build-id'] ? { buildId: values['build-id'] } : {}),
          layoutDir: outDir,
          architectures: archs,
          ...(progress ? { log: progress } : {}),
        })
        if (image.layout) printSizes(image.layout)
        console.log(
          `${image.tag} ${image.id} (linux/${await engineArchitecture()}) ${(image.sizeBytes / 1e6).toFixed(1)} MB`,
        )
        return 0
      }
      case 'release': {
        if (!values.registry || !values.version) {
          throw new ImageError('WT_IMAGE_USAGE', 'release needs --registry HOST:PORT and --version X.Y.Z')
        }
        const layout = await buildImageLayout({
          outDir,
          version: values.version,
          ...(progress ? { log: progress } : {}),
        })
        printSizes(layout)
        const pushed = await pushLayout(layout.dir, {
          registry: values.registry,
          version: values.version,
          ...(values.repository ? { repository: values.repository } : {}),
          ...(values['docker-config'] ? { dockerConfig: values['docker-config'] } : {}),
          ...(values['registry-ca'] ? { caFile: values['registry-ca'] } : {}),
          ...(progress ? { log: progress } : {}),
        })
        for (const t of pushed.tags) console.log(`${pushed.repository}:${t} ${pushed.digest}`)
        return 0
      }
      case 'sizes': {
        for (const s of await layoutSizes(outDir)) {
          console.log(
            `${s.platform}  ${(s.compressedBytes / 1e6).toFixed(1)} MB compressed  ${(s.unpackedBytes / 1e6).toFixed(1)} MB unpacked`,
          )
        }
        return 0
      }
      default:
        console.error(USAGE)
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2
    }
  } catch (err) {
    if (err instanceof ImageError) {
      console.error(`image: ${err.message} [${err.code}]`)
      return err.code === 'WT_IMAGE_USAGE' ? 2 : 1
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`image: ${err.message}\n${USAGE}`)
      return 2
    }
    throw err
  }
}
