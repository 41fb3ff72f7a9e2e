import { ExitError } from '../failures.ts'
import type { ProbeFactory } from '../probe.ts'
import { redact, renderFooterText, renderHeaderText, renderJson, renderStepText } from '../render.ts'
import { runSteps } from '../steps.ts'

export interface CheckOptions {
  image: string
  /** --registry-ca FILE */
  registryCa?: string
  /** --insecure-registry HOST[:PORT], repeatable */
  insecureRegistry: string[]
  json: boolean
  verbose: boolean
}

export interface Writer {
  write(chunk: string): unknown
}

export interface CommandDeps {
  stdout: Writer
  stderr: Writer
  env: NodeJS.ProcessEnv
  now: () => number
  /** certs.d folders to read. @default ['/etc/docker/certs.d'] */
  certsDirs?: readonly string[]
  /** Builds the probe. @default the real chain (`createHttpProbe`) */
  createProbe?: ProbeFactory
}

/** `credcheck IMAGE`: prints each step; throws `ExitError` with the failure's class code. */
export async function run(options: CheckOptions, deps: CommandDeps): Promise<void> {
  const createProbe = deps.createProbe ?? (await import('../http-probe.ts')).createHttpProbe
  const probe = createProbe({
    image: options.image,
    ...(options.registryCa !== undefined ? { registryCa: options.registryCa } : {}),
    insecureRegistries: options.insecureRegistry,
    env: deps.env,
    now: deps.now,
    ...(deps.certsDirs ? { certsDirs: deps.certsDirs } : {}),
  })
  const secrets = () => {
    const list = probe.secrets()
    return [...list, ...list.map((s) => JSON.stringify(s).slice(1, -1))]
  }
  const out = (text: string) => deps.stdout.write(redact(text, secrets()))
  let report: Awaited<ReturnType<typeof runSteps>>
  try {
    if (!options.json) out(renderHeaderText(options.image))
    report = await runSteps(options.image, probe, deps.now, (step) => {
      if (!options.json) out(renderStepText(step, options.verbose))
    })
  } finally {
    await probe.close()
  }
  out(options.json ? renderJson(report) : renderFooterText(report))
  if (report.exitCode !== 0) throw new ExitError(report.exitCode)
}
