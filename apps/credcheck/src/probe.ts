/**
 * The step runner (`steps.ts`) is fed by a `Probe`: one object per checked image whose
 * methods run the steps in order and keep what earlier steps learned (credentials, scheme,
 * token). The default probe (`http-probe.ts`) walks the real chain with the workspace packages;
 * tests and other front-ends may hand in their own.
 *
 * A step method returns a `StepOutcome` or throws. A `CheckFailure` thrown by a step carries the
 * cause and the fix; anything else is diagnosed as an internal error.
 */

export type StepId =
  | 'reference'
  | 'credentials'
  | 'tls'
  | 'ping'
  | 'token'
  | 'manifest'
  | 'rate-limit'
  | 'local-image'

export const STEP_IDS: readonly StepId[] = [
  'reference',
  'credentials',
  'tls',
  'ping',
  'token',
  'manifest',
  'rate-limit',
  'local-image',
]

export const STEP_TITLES: Record<StepId, string> = {
  reference: 'reference',
  credentials: 'credentials',
  tls: 'tls',
  ping: 'ping /v2/',
  token: 'token',
  manifest: 'manifest',
  'rate-limit': 'rate limit',
  'local-image': 'local image',
}

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

export interface Probe {
  reference(): Promise<StepOutcome>
  credentials(): Promise<StepOutcome>
  tls(): Promise<StepOutcome>
  ping(): Promise<StepOutcome>
  token(): Promise<StepOutcome>
  manifest(): Promise<StepOutcome>
  rateLimit(): Promise<StepOutcome>
  localImage(): Promise<StepOutcome>
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
}

export type ProbeFactory = (options: ProbeOptions) => Probe
