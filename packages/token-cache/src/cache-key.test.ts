import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { cacheKey, normalizeScopes } from './cache-key.ts'

describe('normalizeScopes', () => {
  it('splits space-separated scopes, sorts actions and scopes, drops duplicates', () => {
    expect(normalizeScopes(['repository:b:push,pull repository:a:pull', 'repository:a:pull', ''])).toEqual([
      'repository:a:pull',
      'repository:b:pull,push',
    ])
  })

  it('keeps names that hold a colon', () => {
    expect(normalizeScopes(['repository:host:5000/x:pull'])).toEqual(['repository:host:5000/x:pull'])
    expect(normalizeScopes(['registry:catalog:*'])).toEqual(['registry:catalog:*'])
  })
})

describe('cacheKey', () => {
  test.prop([fc.array(fc.constantFrom('repository:a:pull', 'repository:b:pull,push', 'repository:c:push'))])(
    'is the same for any order of the same scopes',
    (scopes) => {
      const base = { realm: 'https://r.test/token', identity: 'anonymous' }
      expect(cacheKey({ ...base, scopes })).toBe(cacheKey({ ...base, scopes: [...scopes].reverse() }))
    },
  )

  it('never holds the identity in clear', () => {
    const k = cacheKey({ realm: 'https://r.test/token', scopes: [], identity: 'hunter2-as-a-mistake' })
    expect(k).not.toContain('hunter2')
  })
})
