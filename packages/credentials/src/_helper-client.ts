import { CredentialsError } from './errors.ts'
import { proseOnly } from './redact.ts'
import { NOT_FOUND_TEXT, type RunHelper } from './run-helper.ts'

/** A helper's answer; `identityToken` when it said `Username: "<token>"`. */
export interface HelperCredential {
  username: string | undefined
  secret: string
  identityToken: boolean
}

export interface HelperClientOptions {
  runHelper: RunHelper
  env: Readonly<Record<string, string | undefined>>
  timeoutMs: number
  ttlMs: number
  /** How long a failure is reused before the helper is run again. */
  failureTtlMs: number
  now: () => number
}

/** Where the helper was configured, for error messages: `credHelpers["host"] in /x/config.json`. */
export interface HelperContext {
  registry: string
  via: string
  file: string
}

/**
 * Runs `docker-credential-<name> get` (server URL on stdin) and caches answers, including "none",
 * for `ttlMs`. Concurrent lookups of the same helper + server share one run. Failures are reused
 * for `failureTtlMs` only.
 */
export function createHelperClient(options: HelperClientOptions) {
  const cache = new Map<string, { expiresAt: number; value: Promise<HelperCredential | undefined> }>()

  async function run(
    helper: string,
    serverUrl: string,
    ctx: HelperContext,
  ): Promise<HelperCredential | undefined> {
    const program = `docker-credential-${helper}`
    const where = `credential helper ${program} (${ctx.via}) for registry ${ctx.registry}`
    const details = { registry: ctx.registry, helper: program, file: ctx.file }
    let result: Awaited<ReturnType<RunHelper>>
    try {
      result = await options.runHelper(program, ['get'], {
        input: serverUrl,
        env: options.env,
        timeoutMs: options.timeoutMs,
      })
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (code === 'ENOENT') {
        throw new CredentialsError(
          'WT_CREDENTIALS_HELPER_NOT_FOUND',
          `${where}: ${program} was not found on PATH (${options.env.PATH ?? 'PATH is not set'})`,
          { ...details, cause: error },
        )
      }
      throw new CredentialsError(
        'WT_CREDENTIALS_HELPER_FAILED',
        `${where} could not be started: ${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)}`,
        { ...details, cause: error },
      )
    }
    // A failing helper may print its secret (plain text, or on stderr): only prose is shown.
    const shown = () =>
      `${proseOnly(result.stdout, { env: options.env })}${result.stderr.trim() ? `, stderr: ${proseOnly(result.stderr, { env: options.env })}` : ''}`
    if (result.timedOut) {
      throw new CredentialsError(
        'WT_CREDENTIALS_HELPER_TIMEOUT',
        `${where} did not answer within ${options.timeoutMs} ms and was stopped`,
        details,
      )
    }
    if (result.code !== 0) {
      if (result.stdout.trim() === NOT_FOUND_TEXT) return undefined
      throw new CredentialsError(
        'WT_CREDENTIALS_HELPER_FAILED',
        `${where} failed with exit code ${result.code ?? 'unknown'}, output: ${shown()}`,
        details,
      )
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(result.stdout)
    } catch {
      parsed = undefined
    }
    const obj = parsed as { Username?: unknown; Secret?: unknown } | undefined
    if (
      typeof obj !== 'object' ||
      obj === null ||
      Array.isArray(obj) ||
      (obj.Username !== undefined && typeof obj.Username !== 'string') ||
      (obj.Secret !== undefined && typeof obj.Secret !== 'string')
    ) {
      // Not shown: a broken helper might print the bare secret.
      throw new CredentialsError(
        'WT_CREDENTIALS_HELPER_INVALID_OUTPUT',
        `${where} printed ${result.stdout.length} bytes that are not the expected JSON {"ServerURL","Username","Secret"}`,
        details,
      )
    }
    const username = (obj.Username as string | undefined) ?? ''
    const secret = (obj.Secret as string | undefined) ?? ''
    if (username === '' && secret === '') return undefined
    if (username === '<token>') return { username: undefined, secret, identityToken: true }
    return { username, secret, identityToken: false }
  }

  return {
    get(helper: string, serverUrl: string, ctx: HelperContext): Promise<HelperCredential | undefined> {
      const key = `${helper}\0${serverUrl}`
      const hit = cache.get(key)
      if (hit && hit.expiresAt > options.now()) return hit.value
      const value = run(helper, serverUrl, ctx)
      const entry = { expiresAt: options.now() + options.ttlMs, value }
      cache.set(key, entry)
      value.catch(() => {
        // a failure is kept only briefly, so N containers on a broken helper cost one run, not N
        entry.expiresAt = options.now() + options.failureTtlMs
      })
      return value
    },
    clear(): void {
      cache.clear()
    },
  }
}
