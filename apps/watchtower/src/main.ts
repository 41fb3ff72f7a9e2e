// The CLI's entry: only `main`, so `watchtower --help` loads the flag table and cac, not the
// configuration, engine and registry code a run needs (those are imported when a command runs).
import { type CliDeps, processDeps } from './deps.ts'
import { WatchtowerError } from './errors.ts'

/**
 * Runs the watchtower CLI with `argv` (arguments after the program name) and
 * returns the exit code. Every outside effect goes through `deps`.
 */
export async function main(argv: readonly string[], deps: Partial<CliDeps> = {}): Promise<number> {
  const d: CliDeps = { ...processDeps(), ...deps }
  const { createCli } = await import('./cli.ts')
  const cli = createCli(d)
  try {
    cli.parse(['node', 'watchtower', ...argv], { run: false })
    // a command's action returns its exit code (notify-upgrade returns nothing: 0)
    const code: unknown = await cli.runMatchedCommand()
    return typeof code === 'number' ? code : 0
  } catch (err) {
    if (err instanceof WatchtowerError) {
      d.stderr.write(`watchtower: ${err.message}\n`)
      return 1
    }
    d.stderr.write(
      `watchtower: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    return 1
  }
}
