import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tryNormalizeRegistryKey } from '../../src/normalize.ts'
import { createCredentialResolver } from '../../src/resolver.ts'
import { NOT_FOUND_TEXT, type RunHelper } from '../../src/run-helper.ts'

/**
 * Runs every case of credentials.docker-cli.json (docker/cli's own tests, each naming repository,
 * file and commit). `differs` marks a deliberate difference: ours must give `differs.ours`, for the
 * reason written there.
 */
interface Source {
  repository: string
  path: string
  commit: string
  test: string
}
interface HostCase {
  source: Source
  input: string
  expected: string
  differs?: { ours: string | null; reason: string }
}
type HelperAnswer = { username: string; password: string } | { error: string }
interface Found {
  from: 'auths' | 'cred-helper' | 'creds-store' | 'env' | 'anonymous'
  helper?: string
  username?: string
  password?: string
  error?: boolean
}
interface LookupCase {
  source: Source
  config: Record<string, unknown>
  lookup: string
  expect: Found
  helpers?: Record<string, Record<string, HelperAnswer>>
  env?: Record<string, string>
  differs?: { ours: Found; reason: string }
}
const table = JSON.parse(readFileSync(new URL('./credentials.docker-cli.json', import.meta.url), 'utf8')) as {
  hostnames: HostCase[]
  lookups: LookupCase[]
}

const FILE = '/conformance/config.json'

async function lookup(c: LookupCase): Promise<Found> {
  const helpers = c.helpers ?? {}
  const runHelper: RunHelper = async (program, _args, { input }) => {
    const answer = helpers[program.replace(/^docker-credential-/, '')]?.[input.trim()]
    if (answer === undefined) return { code: 1, stdout: NOT_FOUND_TEXT, stderr: '', timedOut: false }
    if ('error' in answer) return { code: 1, stdout: '', stderr: answer.error, timedOut: false }
    const out = { ServerURL: input.trim(), Username: answer.username, Secret: answer.password }
    return { code: 0, stdout: JSON.stringify(out), stderr: '', timedOut: false }
  }
  const resolver = createCredentialResolver({
    env: c.env ?? {},
    configFile: FILE,
    stat: async () => ({ mtimeMs: 1, ino: 1, size: 1 }),
    readFile: async () => JSON.stringify(c.config),
    runHelper,
  })
  try {
    const creds = await resolver.resolve(c.lookup)
    const found: Found = { from: creds.source.kind }
    if (creds.source.helper) found.helper = creds.source.helper.replace(/^docker-credential-/, '')
    if (creds.username !== undefined) found.username = creds.username
    const secret = creds.secret()
    if (secret !== undefined) found.password = secret
    return found
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    expect(code).toMatch(/^WT_CREDENTIALS_/)
    return { from: 'anonymous', error: true }
  }
}

function strip(f: Found): Found {
  return f.error ? { from: 'anonymous', error: true } : f
}

describe('registry hosts in config.json keys agree with docker/cli ConvertToHostname', () => {
  it('every case names its source', () => {
    for (const c of [...table.hostnames, ...table.lookups]) {
      expect(c.source.repository).toBe('docker/cli')
      expect(c.source.commit).toMatch(/^[0-9a-f]{40}$/)
      expect(c.source.path).toMatch(/^cli\/config\/(credentials|configfile)\//)
    }
  })
  it.each(table.hostnames.filter((c) => !c.differs).map((c) => [c.input, c] as const))('%s', (_, c) => {
    expect(tryNormalizeRegistryKey(c.input)).toBe(c.expected)
  })
  it.each(table.hostnames.filter((c) => c.differs).map((c) => [c.input, c] as const))(
    'deliberately differs: %s',
    (_, c) => {
      expect(tryNormalizeRegistryKey(c.input) ?? null).toBe(c.differs!.ours)
    },
  )
})

describe('credential lookups agree with docker/cli', () => {
  it.each(table.lookups.filter((c) => !c.differs).map((c) => [c.source.test, c] as const))(
    '%s',
    async (_, c) => {
      expect(strip(await lookup(c))).toEqual(c.expect.error ? { from: 'anonymous', error: true } : c.expect)
    },
  )
  it.each(table.lookups.filter((c) => c.differs).map((c) => [c.source.test, c] as const))(
    'deliberately differs: %s',
    async (_, c) => {
      expect(await lookup(c)).toEqual(c.differs!.ours)
    },
  )
})
