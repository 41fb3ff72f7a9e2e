// Test helpers (not exported from index.ts).
import { readFileSync, writeFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { CliDeps, OutputStream } from './deps.ts'

export interface Captured extends OutputStream {
  text: string
}

export function capture(): Captured {
  const c: Captured = {
    text: '',
    write(chunk: string) {
      c.text += chunk
      return true
    },
  }
  return c
}

export function testDeps(overrides: Partial<CliDeps> = {}): CliDeps & { stdout: Captured; stderr: Captured } {
  return {
    stdout: capture(),
    stderr: capture(),
    env: {},
    now: () => Date.UTC(2026, 0, 1),
    sleep: async () => {},
    hostname: 'testhost',
    pid: 4242,
    version: '9.9.9',
    readSecretFile: () => undefined,
    onShutdown: () => () => {},
    ...overrides,
  } as CliDeps & { stdout: Captured; stderr: Captured }
}

/**
 * Checks that the README section between `begin` and `end` is what `render()` makes (table padding
 * aside); with `WT_UPDATE_DOCS=1` it rewrites the section first. Returns the README's text.
 */
export function expectGeneratedSection(
  readme: URL,
  begin: string,
  end: string,
  render: () => string,
): string {
  const norm = (s: string) =>
    s
      .split('\n')
      .filter((l) => !/^\|[\s|:-]+\|$/.test(l))
      .map((l) => l.replace(/ +/g, ' ').trim())
      .join('\n')
  let text = readFileSync(readme, 'utf8')
  expect(text).toContain(begin)
  const section = `${begin}\n\n${render()}\n${end}`
  if (process.env.WT_UPDATE_DOCS === '1') {
    text = text.replace(text.slice(text.indexOf(begin), text.indexOf(end) + end.length), section)
    writeFileSync(readme, text)
  }
  expect(norm(readFileSync(readme, 'utf8'))).toContain(norm(section))
  return text
}
