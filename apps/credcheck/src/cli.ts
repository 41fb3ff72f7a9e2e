import { readFileSync } from 'node:fs'
import { cac } from 'cac'
import type { CommandDeps } from './commands/check.ts'

/** Declares the CLI; the action lazy-loads the command (changesets' pattern). */
export function createCli(deps: CommandDeps) {
  const cli = cac('credcheck')
  cli
    .command('<image>', 'Explain, step by step, whether and why a registry lets you pull IMAGE')
    .option(
      '--registry-ca <file>',
      'PEM bundle of CA certificates to trust for registries (added to the system roots)',
    )
    .option('--insecure-registry <host>', 'HOST[:PORT] to reach without TLS verification (repeatable)')
    .option('--json', 'Print the steps as one JSON document (schema in README.md)')
    .option('--verbose', 'Print details and the causes of errors')
    .example('credcheck 127.0.0.1:5000/team/app:1.2')
    .example('credcheck --registry-ca ./ca.pem registry.example.com/app')
    .action(async (image: string, flags: Record<string, unknown>) => {
      const { run } = await import('./commands/check.ts')
      await run(normalizeOptions(image, flags), deps)
    })
  cli
    .command('tags <image>', "List a repository's tags as watchtower's tag policies see them")
    .option('--policy <policy>', 'semver:patch|minor|major: explain which tag IMAGE would move to')
    .option('--include <regex>', 'Tag filter (as the tag-include label)')
    .option('--exclude <regex>', 'Tag filter (as the tag-exclude label)')
    .option('--transform <spec>', 'REGEX => $1.$2 (as the tag-transform label)')
    .option('--platform <os/arch>', 'Platform a candidate must have (default linux/amd64)')
    .option('--registry-ca <file>', 'PEM bundle of CA certificates to trust')
    .option('--insecure-registry <host>', 'HOST[:PORT] to reach without TLS verification (repeatable)')
    .option('--json', 'Print one JSON document')
    .example('credcheck tags 127.0.0.1:5000/team/app:1.0.0 --policy semver:minor')
    .action(async (image: string, flags: Record<string, unknown>) => {
      const { runTags } = await import('./commands/tags.ts')
      const str = (k: string) => (typeof flags[k] === 'string' ? { [k]: flags[k] as string } : {})
      await runTags(
        {
          ...normalizeOptions(image, flags),
          ...str('policy'),
          ...str('include'),
          ...str('exclude'),
          ...str('transform'),
          ...str('platform'),
        },
        deps,
      )
    })
  cli.help()
  cli.option('-v, --version', 'Display the version')
  // cac prints help with console.info; send it to the injected stdout instead.
  cli.outputHelp = () => {
    deps.stdout.write(HELP)
  }
  return cli
}

export function normalizeOptions(image: string, flags: Record<string, unknown>) {
  const ca = flags['registryCa']
  if (ca !== undefined && (typeof ca !== 'string' || ca === '')) {
    throw new UsageError('--registry-ca needs a file path (given once)')
  }
  const insecure = flags['insecureRegistry']
  const list = insecure === undefined ? [] : Array.isArray(insecure) ? insecure : [insecure]
  for (const host of list) {
    if (typeof host !== 'string' || host === '' || host.includes('/')) {
      throw new UsageError(`--insecure-registry needs HOST[:PORT], got ${JSON.stringify(host)}`)
    }
  }
  return {
    image,
    ...(typeof ca === 'string' ? { registryCa: ca } : {}),
    insecureRegistry: list as string[],
    json: flags['json'] === true,
    verbose: flags['verbose'] === true,
  }
}

export class UsageError extends Error {
  override name = 'UsageError' as const
  readonly code = 'WT_CREDCHECK_USAGE' as const
}

const HELP = `credcheck: explain, step by step, whether and why a registry lets you pull IMAGE

Usage:
  $ credcheck IMAGE [--registry-ca FILE] [--insecure-registry HOST[:PORT]]... [--json] [--verbose]

Steps: reference, credentials, tls, ping /v2/, token, manifest, rate limit, local image.
Reads DOCKER_CONFIG (config.json: auths, credHelpers, credsStore), REPO_USER/REPO_PASS
(REPO_REGISTRY), /etc/docker/certs.d and DOCKER_HOST, as watchtower does.

Options:
  --registry-ca <file>        PEM bundle of CA certificates to trust (added to the system roots)
  --insecure-registry <host>  HOST[:PORT] to reach without TLS verification; plain HTTP allowed (repeatable)
  --json                      Print the steps as one JSON document (schema: README.md)
  --verbose                   Print trust sources, notes and the causes of errors
  -v, --version               Display the version
  -h, --help                  Display this message

Exit codes: 0 ok, 1 internal, 2 usage, 3 credentials config, 4 TLS, 5 unreachable,
6 credentials refused, 7 access denied, 8 not found, 9 rate limited, 10 protocol.

  credcheck tags IMAGE [--policy semver:patch|minor|major] [--include RE] [--exclude RE]
                 [--transform 'RE => $1.$2'] [--platform os/arch] [--json]
      lists the repository's tags with the same credentials, token (scope pull) and pagination
      as watchtower, and explains why a tag policy finds a newer tag or none.

Examples:
  credcheck 127.0.0.1:5000/team/app:1.2
  credcheck tags 127.0.0.1:5000/team/app:1.0.0 --policy semver:minor
  credcheck --registry-ca ./ca.pem registry.example.com/app
`

/** The package's own version (from src/ or dist/, package.json is one level up). */
export function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string
    }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}
