/**
 * Sizes of each platform of an OCI layout, read from the layout itself: compressed = what a pull
 * downloads (manifest, config, gzipped layers), unpacked = the layers' tar bytes (gunzipped here,
 * not taken from any annotation).
 */
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { blobPath, type Descriptor, readLayoutIndex } from './layout.ts'

export interface PlatformSize {
  platform: string
  compressedBytes: number
  unpackedBytes: number
  layers: number
}

export async function layoutSizes(layoutDir: string): Promise<PlatformSize[]> {
  const { manifests } = await readLayoutIndex(layoutDir)
  const out: PlatformSize[] = []
  for (const m of manifests) {
    const manifest = JSON.parse(await readFile(blobPath(layoutDir, m.digest), 'utf8')) as {
      config: Descriptor
      layers: Descriptor[]
    }
    let unpacked = 0
    for (const l of manifest.layers) unpacked += await gunzippedSize(blobPath(layoutDir, l.digest))
    out.push({
      platform: `${m.platform?.os ?? 'linux'}/${m.platform?.architecture ?? '?'}${m.platform?.variant ? `/${m.platform.variant}` : ''}`,
      compressedBytes: m.size + manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0),
      unpackedBytes: unpacked,
      layers: manifest.layers.length,
    })
  }
  return out
}

function gunzippedSize(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0
    const z = createGunzip()
    z.on('data', (d: Buffer) => {
      n += d.length
    })
    z.on('end', () => resolve(n))
    z.on('error', reject)
    createReadStream(file).on('error', reject).pipe(z)
  })
}
