// argv + env -> WatchtowerConfig, with upstream's rules, in four steps:
// layer (defaults, env, flags), secrets (values naming files), validate
// (checks across flags, derived settings) and build (the typed config).
import { hostname as osHostname } from 'node:os'
import { buildConfig } from './_build.ts'
import { applyPorcelain, layerValues } from './_layer.ts'
import { defaultReadSecretFile, readSecretFiles, readTemplateFile } from './_secrets.ts'
import { validate } from './_validate.ts'
import type { WatchtowerConfig } from './types.ts'

export interface ResolveConfigOptions {
  /** Arguments after the program name. */
  argv: readonly string[]
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** Contents of `path` when it names an existing regular file, else undefined. @default node:fs */
  readSecretFile?: (path: string) => string | undefined
  /** @default os.hostname() */
  hostname?: string
}

export interface ResolvedCli {
  config: WatchtowerConfig
  help: boolean
  version: boolean
}

/** Parses argv + env into the watchtower configuration, with upstream's rules. */
export function resolveConfig(options: ResolveConfigOptions): ResolvedCli {
  const env = options.env ?? process.env
  const readSecret = options.readSecretFile ?? defaultReadSecretFile
  const layered = layerValues(options.argv, env)
  const { values, sources } = layered
  readSecretFiles(values, readSecret)
  applyPorcelain(layered)
  const checked = validate(values, sources, env)
  const templateFromFile = readTemplateFile(values, sources, readSecret)
  const config = buildConfig({
    values,
    sources,
    checked,
    positionals: layered.positionals,
    hostFlags: layered.hostFlags,
    env,
    hostname: () => options.hostname || osHostname(),
    templateFromFile,
    warnings: [...layered.warnings, ...checked.warnings],
  })
  return { config, help: layered.help, version: layered.version }
}
