/** Stable codes of every failure in this package. */
export type ImageErrorCode =
  | 'WT_IMAGE_SPAWN'
  | 'WT_IMAGE_COMMAND'
  | 'WT_IMAGE_NODE_BINARY'
  | 'WT_IMAGE_LDD'
  | 'WT_IMAGE_IMPORT'
  | 'WT_IMAGE_BUILD'
  | 'WT_IMAGE_ELF'
  | 'WT_IMAGE_APT'
  | 'WT_IMAGE_LAYOUT'
  | 'WT_IMAGE_LOAD'
  | 'WT_IMAGE_PUSH'
  | 'WT_IMAGE_USAGE'

/** A failure while making or building an image: `code` is stable, `cause` kept. */
export class ImageError extends Error {
  override name = 'ImageError'
  readonly code: ImageErrorCode
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
