import { Buffer } from 'node:buffer'
import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { readBoundedBody } from './body.ts'
import { isRegistryError } from './errors.ts'

const url = new URL('https://user:pw@reg.example/v2/app/manifests/latest?account=alice')

test.prop([
  fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 20 }),
  fc.integer({ min: 0, max: 40_000 }),
])(
  'any chunking: the whole body up to the cap, else WT_REGISTRY_BODY_TOO_LARGE after at most one chunk past it',
  async (sizes, cap) => {
    let pulled = 0
    async function* body() {
      for (const [i, n] of sizes.entries()) {
        pulled += n
        yield Buffer.alloc(n, i)
      }
    }
    const total = sizes.reduce((a, b) => a + b, 0)
    const result = await readBoundedBody(body(), { url, maxBytes: cap }).then(
      (b) => b,
      (e: unknown) => e,
    )
    if (total <= cap) {
      expect(Buffer.isBuffer(result)).toBe(true)
      expect((result as Buffer).length).toBe(total)
    } else {
      expect(isRegistryError(result, 'WT_REGISTRY_BODY_TOO_LARGE')).toBe(true)
      const message = (result as Error).message
      expect(message).toBe(
        `the answer is larger than the ${cap}-byte cap for it: GET https://reg.example/v2/app/manifests/latest`,
      )
      expect(pulled).toBeLessThanOrEqual(cap + Math.max(...sizes))
    }
  },
)
