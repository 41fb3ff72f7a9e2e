export {
  type BuildImageOptions,
  type BuiltImage,
  buildWatchtowerImage,
  engineArchitecture,
  REPO_ROOT,
} from './build-image.ts'
export { type DebianArch, type DebianPackage, downloadPackages, RUNTIME_PACKAGES } from './debian.ts'
export { ELF_MACHINE, type ElfDynamicInfo, readElfDynamic } from './elf.ts'
export { ImageError, type ImageErrorCode } from './errors.ts'
export {
  ALL_ARCHITECTURES,
  type Architecture,
  type BuildLayoutOptions,
  blobPath,
  buildImageLayout,
  type Descriptor,
  defaultOutDir,
  type ImageLayout,
  MEDIA,
  type PlatformImage,
  readLayoutIndex,
} from './layout.ts'
export { type LoadedImage, loadIntoEngine } from './load.ts'
export { type PushOptions, type PushResult, pushLayout, releaseTags } from './release.ts'
export { layoutSizes, type PlatformSize } from './sizes.ts'
