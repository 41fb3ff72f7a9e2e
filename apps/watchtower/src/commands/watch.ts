import { renderHelp } from '../config/help.ts'
import { resolveConfig } from '../config/resolve.ts'
import type { CliDeps } from '../deps.ts'

/** The default command: resolve the configuration, then run sessions. Returns the exit code. */
export async function watch(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { config, help, version } = resolveConfig({
    argv,
    env: deps.env,
    hostname: deps.hostname,
    ...(deps.readSecretFile ? { readSecretFile: deps.readSecretFile } : {}),
  })
  if (help) {
    deps.stdout.write(renderHelp(deps.version))
    return 0
  }
  if (version) {
    deps.stdout.write(`watchtower ${deps.version}\n`)
    return 0
  }
  if (config.healthCheck) {
    // Only for Docker's HEALTHCHECK; the main process must never get the flag.
    if (deps.pid === 1) {
      await deps.sleep(1000)
      deps.stderr.write(
        'watchtower: the --health-check flag should never be passed to the main watchtower process\n',
      )
      return 1
    }
    const { assessHeartbeat, DEFAULT_HEARTBEAT_FILE, readHeartbeat } = await import('../health/heartbeat.ts')
    const file = config.heartbeatFile || DEFAULT_HEARTBEAT_FILE
    const verdict = assessHeartbeat(await readHeartbeat(file), deps.now())
    if (!verdict.healthy) {
      deps.stderr.write(`watchtower: unhealthy: ${verdict.reason} (${file})\n`)
      return 1
    }
    deps.stdout.write('watchtower: healthy\n')
    return 0
  }
  if (config.selfUpdateHelper) {
    const { selfUpdateHelper } = await import('./_self-update-helper.ts')
    return selfUpdateHelper(config, deps)
  }
  const { runWatchtower } = await import('./_run.ts')
  return runWatchtower(config, deps)
}
