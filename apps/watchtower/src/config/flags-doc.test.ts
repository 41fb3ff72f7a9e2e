import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FLAGS } from './_flags.ts'
import { renderFlagsMarkdown } from './flags-doc.ts'

const README = new URL('../../README.md', import.meta.url)
const BEGIN = '<!-- flags:begin (generated from src/config/_flags.ts) -->'
const END = '<!-- flags:end -->'

/** Ignores the table padding the formatter adds. */
const norm = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.replace(/ +/g, ' ').trim())
    .join('\n')

describe('README', () => {
  it('documents every flag and env var (the generated section matches the code)', () => {
    let text = readFileSync(README, 'utf8')
    const section = `${BEGIN}\n\n${renderFlagsMarkdown()}\n${END}`
    const current = text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length)
    if (process.env.WT_UPDATE_DOCS === '1') {
      text = text.replace(current, section)
      writeFileSync(README, text)
    }
    expect(norm(readFileSync(README, 'utf8'))).toContain(norm(section))
    for (const f of FLAGS) {
      if (f.hidden) continue
      expect(text).toContain(`\`--${f.name}\``)
      if (f.env) expect(text).toContain(`\`${f.env}\``)
    }
  })
})
