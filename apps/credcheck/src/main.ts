import { createCli, readVersion, UsageError } from './cli.ts'
import type { CommandDeps } from './commands/check.ts'
import { EXIT_CODES, ExitError } from './failures.ts'

// The CLI's entry: it loads only the option parser; `cli.ts` lazy-loads the command, so
// `credcheck --help` and `--version` never load the registry, TLS or engine code.

/**
 * Parses argv (`run: false`), runs the matched command and maps errors to exit codes:
 * `ExitError` → its code, usage errors (cac's and ours) → 2, anything else → 1 with its stack.
 * Returns the exit code; `bin.js` sets `process.exitCode` from it.
 */
export async function main(argv: readonly string[], deps: CommandDeps): Promise<number> {
  const cli = createCli(deps)
  try {
    cli.parse([...argv], { run: false })
    if (cli.options['version'] && !cli.options['help']) {
      deps.stdout.write(`credcheck ${readVersion()}\n`)
      return EXIT_CODES.ok
    }
    if (cli.options['help']) return EXIT_CODES.ok
    if (!cli.matchedCommand) {
      deps.stderr.write('credcheck: missing IMAGE (try --help)\n')
      return EXIT_CODES.usage
    }
    await cli.runMatchedCommand()
    return EXIT_CODES.ok
  } catch (error) {
    if (error instanceof ExitError) return error.code
    if (error instanceof UsageError || (error instanceof Error && error.name === 'CACError')) {
      deps.stderr.write(`credcheck: ${error.message} (try --help)\n`)
      return EXIT_CODES.usage
    }
    deps.stderr.write(`credcheck: internal error: ${error instanceof Error ? error.stack : String(error)}\n`)
    return EXIT_CODES.internal
  }
}
