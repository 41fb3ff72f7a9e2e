import { z } from 'zod'

/** A platform as in an OCI index entry (`os`, `architecture`, optional `variant`). */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const Descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().optional(),
  platform: z
    .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
    .partial()
    .optional(),
  annotations: z.record(z.string(), z.string()).optional(),
})
export const IndexSchema = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
})
export type IndexDescriptor = z.infer<typeof Descriptor>

/** Maps Node's `process.arch` to the OCI architecture (+ variant). */
export function platformFromNode(arch: string, os = 'linux'): Platform {
  switch (arch) {
    case 'x64':
      return { os, architecture: 'amd64' }
    case 'ia32':
      return { os, architecture: '386' }
    case 'arm64':
      return { os, architecture: 'arm64', variant: 'v8' }
    case 'arm':
      return { os, architecture: 'arm', variant: 'v7' }
    default:
      return { os, architecture: arch }
  }
}

/** Default variants as containerd normalizes them: arm64 → v8, arm → v7. */
function normalizedVariant(architecture: string, variant: string | undefined): string | undefined {
  if (variant) return variant
  if (architecture === 'arm64') return 'v8'
  if (architecture === 'arm') return 'v7'
  return undefined
}

/** Attestation and other non-image entries (`unknown/unknown`, `vnd.docker.reference.type`). */
export function isAttestation(d: IndexDescriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type']) return true
  return d.platform?.os === 'unknown' || d.platform?.architecture === 'unknown'
}

/** Picks the index entry for a platform (os, architecture, variant with arm64→v8 / arm→v7 defaults). */
export function selectPlatform(
  manifests: readonly IndexDescriptor[],
  want: Platform,
): IndexDescriptor | undefined {
  const candidates = manifests.filter(
    (d) => !isAttestation(d) && d.platform?.os === want.os && d.platform?.architecture === want.architecture,
  )
  const wantVariant = normalizedVariant(want.architecture, want.variant)
  return candidates.find((d) => normalizedVariant(want.architecture, d.platform?.variant) === wantVariant)
}

export function platformsOf(manifests: readonly IndexDescriptor[]): Platform[] {
  return manifests
    .filter((d) => !isAttestation(d) && d.platform?.os && d.platform.architecture)
    .map((d) => {
      const p: Platform = { os: d.platform!.os!, architecture: d.platform!.architecture! }
      if (d.platform?.variant) p.variant = d.platform.variant
      return p
    })
}
