/**
 * Image size: the watchtower image built as `pnpm image build` builds it (an OCI layout with
 * linux/amd64 and linux/arm64), its sizes read back from the layout (compressed: manifest, config
 * and gzipped layers, what a pull downloads; unpacked: the layers' tar bytes).
 */
import { join } from 'node:path'
import { buildImageLayout, layoutSizes, type PlatformSize } from '@watchtower-ts/image'

export interface ImageSizeFigures {
  node: string
  /** Digest of the image index the sizes were read from. */
  index: string
  platforms: PlatformSize[]
}

export async function benchImageSize(
  repoRoot: string,
  tmpDir: string,
  log: (m: string) => void,
): Promise<ImageSizeFigures> {
  log('image: building the OCI layout (linux/amd64 + linux/arm64)')
  const layout = await buildImageLayout({ repoRoot, outDir: join(tmpDir, 'oci'), log })
  return {
    node: layout.images[0]?.nodeVersion ?? 'unknown',
    index: layout.index.digest,
    platforms: await layoutSizes(layout.dir),
  }
}
