/**
 * Wire cases the real registries of the bed cannot produce (Docker Hub's rate-limit headers, a
 * 429): the manifest and rate-limit steps fed by a fake exchange.
 */
import { Buffer } from 'node:buffer'
import { anonymousCredentials, createCredentialResolver } from '@watchtower-ts/credentials'
import { type Exchange, parseReference } from '@watchtower-ts/registry-client'
import { describe, expect, it } from 'vitest'
import type { ProbeState } from './_state.ts'
import { CheckFailure } from './failures.ts'
import { manifestStep, rateLimitStep } from './registry-steps.ts'

const DIGEST = `sha256:${'a'.repeat(64)}`

function fakeExchange(status: number, headers: Record<string, string>): Exchange & { calls: string[] } {
  const calls: string[] = []
  const send: Exchange = async (req) => {
    calls.push(`${req.method} ${req.url.pathname}${req.url.search}`)
    return { status, headers, body: Buffer.alloc(0), url: req.url }
  }
  return Object.assign(send, { calls })
}

function state(send: Exchange): ProbeState {
  return {
    options: { image: 'x', insecureRegistries: [], env: {}, now: Date.now, timeoutMs: 1000, certsDirs: [] },
    resolver: createCredentialResolver({ env: {} }),
    proxy: {},
    ref: parseReference('docker.io/library/busybox:latest'),
    credentials: anonymousCredentials('docker.io'),
    base: new URL('https://registry-1.docker.io'),
    send,
    trustSources: [],
    secrets: [],
  }
}

describe('rate limits', () => {
  it("reads Docker Hub's headers from the manifest HEAD", async () => {
    const d = fakeExchange(200, {
      'docker-content-digest': DIGEST,
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '76;w=21600',
      'docker-ratelimit-source': '203.0.113.7',
    })
    const s = state(d)
    const m = await manifestStep(s)
    expect(m.details).toMatchObject({ digest: DIGEST, crossCheck: null })
    expect(d.calls).toEqual(['HEAD /v2/library/busybox/manifests/latest'])
    const r = rateLimitStep(s)
    expect(r).toMatchObject({
      status: 'ok',
      details: { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' },
    })
    expect(r.summary).toBe('remaining 76 of 100 per 21600 s (counted for 203.0.113.7)')
  })

  it('warns when few pulls are left', async () => {
    const s = state(
      fakeExchange(200, {
        'docker-content-digest': DIGEST,
        'ratelimit-limit': '100',
        'ratelimit-remaining': '2',
      }),
    )
    await manifestStep(s)
    expect(rateLimitStep(s).status).toBe('warning')
  })

  it('429 is a rate-limit failure (exit 9) naming Retry-After', async () => {
    const s = state(fakeExchange(429, { 'retry-after': '3600', 'ratelimit-remaining': '0;w=21600' }))
    const error = await manifestStep(s).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CheckFailure)
    expect(error).toMatchObject({ code: 'WT_CREDCHECK_RATE_LIMITED', exitCode: 9 })
    expect((error as Error).message).toMatch(/Retry-After 3600/)
  })

  it('an unexpected status is a protocol failure (exit 10)', async () => {
    const error = await manifestStep(state(fakeExchange(500, {}))).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WT_CREDCHECK_PROTOCOL', exitCode: 10 })
  })
})
