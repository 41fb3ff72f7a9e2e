import { readFileSync, writeFileSync } from 'node:fs'
import { expect } from 'vitest'

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
