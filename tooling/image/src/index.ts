export {
  BASE_FINGERPRINT_LABEL,
  ensureNodeBaseImage,
  imagePathFor,
  type NodeBaseImage,
  type NodeBaseImageOptions,
  sharedLibraries,
} from './base-image.ts'
export { buildContextPaths } from './build-context.ts'
export {
  type BuildImageOptions,
  type BuiltImage,
  buildWatchtowerImage,
  DOCKERFILE,
  REPO_ROOT,
} from './build-image.ts'
export { ImageError, type ImageErrorCode } from './errors.ts'
