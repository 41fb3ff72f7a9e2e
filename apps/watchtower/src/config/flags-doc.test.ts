import { expectGeneratedSection } from '@watchtower-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { FLAGS } from './_flags.ts'
import { renderFlagsMarkdown } from './flags-doc.ts'

const README = new URL('../../README.md', import.meta.url)
const BEGIN = '<!-- flags:begin (generated from src/config/_flags.ts) -->'
const END = '<!-- flags:end -->'

describe('README', () => {
  it('documents every flag and env var (the generated section matches the code)', () => {
    const text = expectGeneratedSection(README, BEGIN, END, renderFlagsMarkdown)
    for (const f of FLAGS) {
      if (f.hidden) continue
      expect(text).toContain(`\`--${f.name}\``)
      if (f.env) expect(text).toContain(`\`${f.env}\``)
    }
  })
})
