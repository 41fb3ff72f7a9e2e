import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseImage } from '../../src/_reference.ts'

/**
 * docker-updater's own light reference parser (it only groups RepoDigests by repository) agrees
 * with distribution/reference on registry and repository for every valid case of the registry
 * client's conformance table (packages/registry-client/test/conformance/reference.distribution.json).
 * It does not validate: invalid references are the registry client's job.
 */
interface Case {
  source: { test: string }
  input: string
  expect: { valid: boolean; registry?: string; repository?: string }
  differs?: unknown
}
const table = JSON.parse(
  readFileSync(
    new URL('../../../registry-client/test/conformance/reference.distribution.json', import.meta.url),
    'utf8',
  ),
) as { cases: Case[] }
const cases = table.cases.filter(
  (c) => c.differs === undefined && c.expect.valid && c.expect.registry !== undefined,
)

describe('parseImage agrees with distribution/reference on registry and repository', () => {
  it.each(cases.map((c) => [`${c.source.test}: ${c.input.slice(0, 80)}`, c] as const))('%s', (_, c) => {
    const parsed = parseImage(c.input)
    const registry = parsed.domain
    expect({ registry, repository: parsed.path }).toEqual({
      registry: c.expect.registry,
      repository: c.expect.repository,
    })
  })
})
