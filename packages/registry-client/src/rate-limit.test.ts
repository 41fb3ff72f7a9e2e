import { describe, expect, it } from 'vitest'
import { parseRateLimit, parseRetryAfter } from './rate-limit.ts'

describe('parseRateLimit', () => {
  it('reads Docker Hub headers (N;w=S)', () => {
    expect(parseRateLimit({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' })).toEqual(
      {
        limit: 100,
        remaining: 76,
        windowSeconds: 21600,
      },
    )
  })
  it('keeps the first of several policies and tolerates spaces', () => {
    expect(parseRateLimit({ 'ratelimit-limit': '100 ; w=21600, 1000;w=86400' })).toEqual({
      limit: 100,
      windowSeconds: 21600,
    })
  })
  it('no headers (or junk) means nothing announced', () => {
    expect(parseRateLimit({})).toBeUndefined()
    expect(parseRateLimit({ 'ratelimit-limit': 'lots' })).toBeUndefined()
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('delay-seconds', () => expect(parseRetryAfter('3', now)).toBe(3000))
  it('HTTP-date', () => expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000))
  it('a past date means now', () => expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0))
  it('absent or junk', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})
