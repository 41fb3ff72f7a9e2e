import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createTokenCache } from './token-cache.ts'
import type { FetchedToken, TokenKey } from './types.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function manualClock(start = T0) {
  let t = start
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
    set: (ms: number) => {
      t = ms
    },
  }
}

const key: TokenKey = {
  realm: 'https://auth.example.test/token',
  service: 'registry.example.test',
  scopes: ['repository:library/nginx:pull'],
  identity: 'sha256:0123456789abcdef',
}

function counter(response: FetchedToken | (() => FetchedToken) = { token: 'tok' }) {
  let calls = 0
  const fetch = async (): Promise<FetchedToken> => {
    calls++
    return typeof response === 'function' ? response() : response
  }
  return { fetch, calls: () => calls }
}

describe('createTokenCache: lifetime', () => {
  it('serves the token until refreshMarginMs before expiry, then fetches a new one', async () => {
    const clock = manualClock()
    const cache = createTokenCache({ now: clock.now })
    let n = 0
    const fetch = async () => ({ token: `t${++n}`, expiresIn: 300 })
    const first = await cache.get(key, fetch)
    expect(first.token).toBe('t1')
    expect(first.obtainedAt).toBe(T0)
    expect(first.expiresAt).toBe(T0 + 300_000)
    clock.set(T0 + 295_000 - 1)
    expect((await cache.get(key, fetch)).token).toBe('t1')
    clock.set(T0 + 295_000)
    expect(cache.peek(key)).toBeUndefined()
    expect((await cache.get(key, fetch)).token).toBe('t2')
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, fetches: 2 })
  })

  it('drops an entry found past its expiry and counts it', async () => {
    const clock = manualClock()
    const cache = createTokenCache({ now: clock.now })
    await cache.get(key, counter().fetch)
    clock.advance(60_000)
    expect(cache.stats().size).toBe(1)
    await cache.get(key, counter().fetch)
    expect(cache.stats()).toMatchObject({ expirations: 1, size: 1 })
  })

  it.each([
    ['missing', undefined, 60],
    ['zero', 0, 60],
    ['negative', -5, 60],
    ['below the floor', 30, 60],
    ['not a number', Number.NaN, 60],
    ['infinite', Number.POSITIVE_INFINITY, 60],
    ['a string', '3600' as unknown as number, 60],
    ['exactly 60', 60, 60],
    ['fractional', 90.5, 90.5],
    ['normal', 300, 300],
    ['huge (capped at 24 h)', 1e12, 86_400],
  ])('expires_in %s → %s s', async (_label, expiresIn, seconds) => {
    const clock = manualClock()
    const cache = createTokenCache({ now: clock.now })
    const got = await cache.get(
      key,
      counter({ token: 'tok', ...(expiresIn === undefined ? {} : { expiresIn }) }).fetch,
    )
    expect(got.expiresAt - T0).toBe(seconds * 1000)
  })

  it('honours maxLifetimeMs', async () => {
    const cache = createTokenCache({ now: () => T0, maxLifetimeMs: 120_000 })
    expect((await cache.get(key, counter({ token: 't', expiresIn: 3600 }).fetch)).expiresAt).toBe(
      T0 + 120_000,
    )
  })

  it.each([
    ['10 s in the past: counts from issued_at', '2025-12-31T23:59:50Z', T0 + 290_000],
    ['with an offset', '2026-01-01T00:59:50+01:00', T0 + 290_000],
    ['with fractional seconds', '2025-12-31T23:59:50.500Z', T0 + 290_500],
    ['in the future: counts from receipt', '2026-01-01T00:10:00Z', T0 + 300_000],
    ['1 ms in the future: counts from receipt', '2026-01-01T00:00:00.001Z', T0 + 300_000],
    ['so old the token would be expired: counts from receipt', '2025-12-31T23:00:00Z', T0 + 300_000],
    ['not RFC 3339: counts from receipt', '1', T0 + 300_000],
    ['without a zone: counts from receipt', '2025-12-31T23:59:50', T0 + 300_000],
    ['garbage: counts from receipt', 'yesterday', T0 + 300_000],
  ])('issued_at %s', async (_label, issuedAt, expiresAt) => {
    const cache = createTokenCache({ now: () => T0 })
    const got = await cache.get(key, counter({ token: 't', expiresIn: 300, issuedAt }).fetch)
    expect(got.expiresAt).toBe(expiresAt)
    expect(got.obtainedAt).toBe(T0)
  })

  it('takes the receipt time when the fetch finishes, not when it started', async () => {
    const clock = manualClock()
    const cache = createTokenCache({ now: clock.now })
    const got = await cache.get(key, async () => {
      clock.advance(7_000)
      return { token: 't' }
    })
    expect(got.obtainedAt).toBe(T0 + 7_000)
    expect(got.expiresAt).toBe(T0 + 67_000)
  })

  it('uses no timers: nothing is scheduled', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    await cache.get(key, counter().fetch)
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before)
  })
})

describe('createTokenCache: single flight', () => {
  it('1000 concurrent callers cause one fetch and all get the same token', async () => {
    const cache = createTokenCache({ now: () => T0 })
    let release!: (t: FetchedToken) => void
    let calls = 0
    const fetch = () => {
      calls++
      return new Promise<FetchedToken>((resolve) => {
        release = resolve
      })
    }
    const all = Array.from({ length: 1000 }, () => cache.get(key, fetch))
    await Promise.resolve()
    await Promise.resolve()
    release({ token: 'shared', expiresIn: 300 })
    const results = await Promise.all(all)
    expect(calls).toBe(1)
    expect(new Set(results.map((r) => r.token))).toEqual(new Set(['shared']))
    expect(cache.stats()).toMatchObject({ fetches: 1, misses: 1000, coalesced: 999, hits: 0, size: 1 })
    await cache.get(key, fetch)
    expect(cache.stats()).toMatchObject({ fetches: 1, hits: 1 })
  })

  it('a failure reaches every waiter, is not cached, and the next get fetches again', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const boom = new Error('token endpoint said 401')
    let calls = 0
    const failing = async (): Promise<FetchedToken> => {
      calls++
      throw boom
    }
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, () => cache.get(key, failing)))
    expect(calls).toBe(1)
    for (const s of settled) expect(s).toEqual({ status: 'rejected', reason: boom })
    expect(cache.peek(key)).toBeUndefined()
    expect(cache.stats()).toMatchObject({ fetches: 1, failures: 1, size: 0 })
    expect((await cache.get(key, counter({ token: 'ok' }).fetch)).token).toBe('ok')
    expect(cache.stats().fetches).toBe(2)
  })

  it('a fetch that throws synchronously rejects instead of throwing', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const p = cache.get(key, () => {
      throw new Error('sync')
    })
    await expect(p).rejects.toThrow('sync')
  })

  it('an answer without a token is an error and is not cached', async () => {
    const cache = createTokenCache({ now: () => T0 })
    await expect(cache.get(key, counter({ token: '' }).fetch)).rejects.toMatchObject({
      code: 'WT_TOKEN_CACHE_INVALID_TOKEN',
    })
    expect(cache.stats().size).toBe(0)
  })

  it('different keys fetch independently', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const a = counter({ token: 'a' })
    const b = counter({ token: 'b' })
    const other = { ...key, scopes: ['repository:other:pull'] }
    const [ra, rb] = await Promise.all([cache.get(key, a.fetch), cache.get(other, b.fetch)])
    expect([ra.token, rb.token, a.calls(), b.calls()]).toEqual(['a', 'b', 1, 1])
  })

  it('clear() during a fetch: the callers get the token, the cache stays empty', async () => {
    const cache = createTokenCache({ now: () => T0 })
    let release!: (t: FetchedToken) => void
    const p = cache.get(
      key,
      () =>
        new Promise<FetchedToken>((resolve) => {
          release = resolve
        }),
    )
    await Promise.resolve()
    cache.clear()
    release({ token: 'late' })
    expect((await p).token).toBe('late')
    expect(cache.stats().size).toBe(0)
  })
})

describe('createTokenCache: keys', () => {
  it('anonymous and authenticated tokens never mix', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const anon = await cache.get({ ...key, identity: 'anonymous' }, counter({ token: 'anon' }).fetch)
    const auth = await cache.get(key, counter({ token: 'auth' }).fetch)
    const other = await cache.get({ ...key, identity: 'sha256:feed' }, counter({ token: 'bob' }).fetch)
    expect([anon.token, auth.token, other.token]).toEqual(['anon', 'auth', 'bob'])
    expect(cache.stats()).toMatchObject({ fetches: 3, size: 3 })
  })

  it('scope order and duplicates do not matter; service and realm do', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const scopes = ['repository:a:pull', 'repository:b:pull,push']
    await cache.get({ ...key, scopes }, counter().fetch)
    const same = { ...key, scopes: ['repository:b:push,pull', 'repository:a:pull', 'repository:a:pull'] }
    expect(cache.peek(same)).toBeDefined()
    expect(cache.peek({ ...key, scopes, service: 'other' })).toBeUndefined()
    expect(cache.peek({ ...key, scopes, service: undefined })).toBeUndefined()
    expect(cache.peek({ ...key, scopes, realm: 'https://elsewhere.test/token' })).toBeUndefined()
  })

  it('rejects a key without realm or identity, naming what is missing', async () => {
    const cache = createTokenCache()
    await expect(cache.get({ ...key, identity: '' }, counter().fetch)).rejects.toMatchObject({
      code: 'WT_TOKEN_CACHE_INVALID_KEY',
      message: expect.stringContaining('empty identity'),
    })
    await expect(cache.get({ ...key, realm: '' }, counter().fetch)).rejects.toMatchObject({
      code: 'WT_TOKEN_CACHE_INVALID_KEY',
      message: expect.stringContaining('empty realm'),
    })
  })
})

describe('createTokenCache: eviction and bounds', () => {
  it('evict() drops the token so the next get fetches', async () => {
    const cache = createTokenCache({ now: () => T0 })
    let n = 0
    const fetch = async () => ({ token: `t${++n}` })
    await cache.get(key, fetch)
    expect(cache.evict(key)).toBe(true)
    expect(cache.evict(key)).toBe(false)
    expect((await cache.get(key, fetch)).token).toBe('t2')
    expect(cache.stats()).toMatchObject({ evictions: 1, fetches: 2 })
  })

  it('evict(key, token) keeps a token refreshed since', async () => {
    const cache = createTokenCache({ now: () => T0 })
    await cache.get(key, counter({ token: 'new' }).fetch)
    expect(cache.evict(key, 'old')).toBe(false)
    expect(cache.peek(key)?.token).toBe('new')
    expect(cache.evict(key, 'new')).toBe(true)
  })

  it('keeps at most maxEntries, dropping expired ones first, then the least recently used', async () => {
    const clock = manualClock()
    const cache = createTokenCache({ now: clock.now, maxEntries: 3 })
    const k = (name: string) => ({ ...key, scopes: [`repository:${name}:pull`] })
    await cache.get(k('short'), counter({ token: 's', expiresIn: 60 }).fetch)
    await cache.get(k('a'), counter({ token: 'a', expiresIn: 600 }).fetch)
    await cache.get(k('b'), counter({ token: 'b', expiresIn: 600 }).fetch)
    clock.advance(120_000)
    await cache.get(k('c'), counter({ token: 'c', expiresIn: 600 }).fetch)
    expect(cache.stats()).toMatchObject({ size: 3, expirations: 1, evictions: 0 })
    await cache.get(k('a'), counter().fetch) // a is now the most recently used
    await cache.get(k('d'), counter({ token: 'd', expiresIn: 600 }).fetch)
    expect(cache.peek(k('b'))).toBeUndefined()
    expect(cache.peek(k('a'))?.token).toBe('a')
    expect(cache.stats()).toMatchObject({ size: 3, evictions: 1 })
  })

  it('rejects nonsensical options', () => {
    expect(() => createTokenCache({ refreshMarginMs: -1 })).toThrow(/refreshMarginMs/)
    expect(() => createTokenCache({ maxEntries: Number.NaN })).toThrow(/maxEntries/)
  })
})

describe('createTokenCache: secrets', () => {
  it('never shows the token or refresh token in JSON, inspect or toString', async () => {
    const cache = createTokenCache({ now: () => T0 })
    const got = await cache.get(
      key,
      counter({ token: 'SECRET-ACCESS', refreshToken: 'SECRET-REFRESH' }).fetch,
    )
    expect(got.token).toBe('SECRET-ACCESS')
    expect(got.refreshToken).toBe('SECRET-REFRESH')
    const shown = [
      JSON.stringify(got),
      inspect(got),
      inspect(got, { showHidden: true, depth: 5 }),
      String(got),
      `${got}`,
      JSON.stringify(cache.stats()),
      inspect(cache, { depth: 5 }),
    ].join('\n')
    expect(shown).not.toContain('SECRET')
    expect(JSON.parse(JSON.stringify(got))).toEqual({
      token: '[redacted]',
      refreshToken: '[redacted]',
      expiresAt: T0 + 60_000,
      obtainedAt: T0,
    })
  })
})
