import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderStatusSchemaMarkdown } from './schema-doc.ts'

const README = new URL('../../../../README.md', import.meta.url)
const BEGIN = '<!-- status-schema:begin (generated from apps/watchtower/src/status/schema.ts) -->'
const END = '<!-- status-schema:end -->'

/** Ignores the table padding the formatter adds. */
const norm = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.replace(/ +/g, ' ').trim())
    .join('\n')

describe('README', () => {
  it('documents the status API with the schemas the tests validate against (generated section matches)', () => {
    let text = readFileSync(README, 'utf8')
    expect(text).toContain(BEGIN)
    const section = `${BEGIN}\n\n${renderStatusSchemaMarkdown()}\n${END}`
    const current = text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length)
    if (process.env.WT_UPDATE_DOCS === '1') {
      text = text.replace(current, section)
      writeFileSync(README, text)
    }
    expect(norm(readFileSync(README, 'utf8'))).toContain(norm(section))
    for (const shot of ['status-light.png', 'status-dark.png', 'status-phone.png']) {
      expect(text).toContain(`docs/screenshots/${shot}`)
    }
  })
})
