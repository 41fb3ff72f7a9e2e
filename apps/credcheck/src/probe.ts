/**
 * The step runner (`steps.ts`) is fed by a `Probe`: one object per checked image whose
 * methods run the steps in order and keep what earlier steps learned (credentials, scheme,
 * token). The default probe (`http-probe.ts`) walks the real chain with the workspace packages;
 * tests and other front-ends may hand in their own.
 *
 * A step method returns a `StepOutcome` or throws. A `CheckFailure` thrown by a step carries the
 * cause and the fix; anything else is diagnosed as an internal error.
 */

/** The steps, in order: the one list (ids, titles and the `Probe` method that runs each). */
export const STEPS = [
  { id: 'reference', title: 'reference', run: 'reference' },
  { id: 'credentials', title: 'credentials', run: 'credentials' },
  { id: 'tls', title: 'tls', run: 'tls' },
  { id: 'ping', title: 'ping /v2/', run: 'ping' },
  { id: 'token', title: 'token', run: 'token' },
  { id: 'manifest', title: 'manifest', run: 'manifest' },
  { id: 'rate-limit', title: 'rate limit', run: 'rateLimit' },
  { id: 'local-image', title: 'local image', run: 'localImage' },
] as const satisfies readonly { id: string; title: string; run: string }[]

export type StepId = (typeof STEPS)[number]['id']

/** JSON-safe details of a step (documented per step in README.md). */
export type StepDetails = Record<string, unknown>

export interface StepOutcome {
  /** `ok`: done; `warning`: done, but something needs attention; `skipped`: not applicable. */
  status: 'ok' | 'warning' | 'skipped'
  /** One line, plain words. Never a secret. */
  summary: string
  details: StepDetails
  /** Extra lines (shown with --verbose, always in JSON). */
  notes?: string[]
}

/** One method per step (`STEPS[].run`), plus what the runner needs around them. */
export type Probe = { [K in (typeof STEPS)[number]['run']]: () => Promise<StepOutcome> } & {
  /** Values that must never appear in output (passwords, tokens, auth strings) known so far. */
  secrets(): readonly string[]
  close(): Promise<void>
}

export interface ProbeOptions {
  image: string
  registryCa?: string
  insecureRegistries: readonly string[]
  env: NodeJS.ProcessEnv
  now: () => number
  /** certs.d folders. @default ['/etc/docker/certs.d'] */
  certsDirs?: readonly string[]
  /** Timeout of each network call in ms. @default 10000 */
  timeoutMs?: number
  /** User-Agent of every request. @default 'credcheck (watchtower-ts)' */
  userAgent?: string
}

export type ProbeFactory = (options: ProbeOptions) => Probe
