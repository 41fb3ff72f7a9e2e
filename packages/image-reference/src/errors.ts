/** Stable codes of every error this package throws. */
export type ImageReferenceErrorCode =
  /** The text does not follow the distribution/reference grammar. */
  'WT_REFERENCE_INVALID'

const kBrand = Symbol.for('wt.error.WT_REFERENCE')

export interface ImageReferenceErrorDetails {
  /** The text as given. */
  input: string
  cause?: unknown
}

/** An image reference that does not parse; `input` is the text as given. */
export class ImageReferenceError extends Error {
  override name = 'ImageReferenceError' as const
  readonly code: ImageReferenceErrorCode
  readonly input: string

  constructor(code: ImageReferenceErrorCode, message: string, details: ImageReferenceErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.input = details.input
    Object.defineProperty(this, kBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }
}

/** True for any error thrown by this package (also across duplicate installs). */
export function isImageReferenceError(value: unknown): value is ImageReferenceError {
  return value instanceof ImageReferenceError
}
