import { type RunResult, run } from './_util.ts'
import type { Testbed } from './types.ts'

export interface DockerCliOptions {
  /** DOCKER_HOST to talk to. @default bed.docker.host */
  host?: string
  /** DOCKER_CONFIG folder. @default bed.dockerConfigDir (alice on basic + token) */
  dockerConfig?: string
  /** Extra environment. */
  env?: Record<string, string>
  /** Written to the command's stdin. */
  input?: string | Buffer
  /** @default 120000 */
  timeoutMs?: number
  /** Throw (with stderr) when the command exits non-zero. @default false */
  reject?: boolean
}

/** Runs the `docker` CLI against the bed's engine (or `options.host`). */
export async function dockerCli(
  bed: Testbed,
  args: readonly string[],
  options: DockerCliOptions = {},
): Promise<RunResult> {
  const r = await run('docker', args, {
    env: {
      ...process.env,
      DOCKER_HOST: options.host ?? bed.docker.host,
      DOCKER_CONFIG: options.dockerConfig ?? bed.dockerConfigDir,
      ...options.env,
    },
    input: options.input,
    timeoutMs: options.timeoutMs ?? 120_000,
  })
  if (options.reject && r.code !== 0) {
    throw new Error(`docker ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim()}`)
  }
  return r
}
