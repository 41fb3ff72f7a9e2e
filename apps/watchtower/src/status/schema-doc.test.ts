import { expectGeneratedSection } from '@watchtower-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { renderStatusSchemaMarkdown } from './schema-doc.ts'

const README = new URL('../../../../README.md', import.meta.url)
const BEGIN = '<!-- status-schema:begin (generated from apps/watchtower/src/status/schema.ts) -->'
const END = '<!-- status-schema:end -->'

describe('README', () => {
  it('documents the status API with the schemas the tests validate against (generated section matches)', () => {
    const text = expectGeneratedSection(README, BEGIN, END, renderStatusSchemaMarkdown)
    for (const shot of ['status-light.png', 'status-dark.png', 'status-phone.png']) {
      expect(text).toContain(`docs/screenshots/${shot}`)
    }
  })
})
