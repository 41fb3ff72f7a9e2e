import { describe, expect, inject, it } from 'vitest'
import { get } from './_test-util.ts'

const bed = inject('testbed')

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    const err = e as { code?: string; cause?: { code?: string }; message: string }
    return err.code ?? err.cause?.code ?? err.message
  }
  throw new Error('expected a TLS failure')
}

describe("the registries' TLS", () => {
  it('is rejected without the private CA and accepted with it', async () => {
    const url = `${bed.registries.basic.url}/v2/`
    expect(await failure(get(bed, url, { ca: false }))).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/)
    expect((await get(bed, url)).status).toBe(401)
    expect((await get(bed, `${bed.registries.token.url}/v2/`)).status).toBe(401)
  })

  it('expired and wrong-host certificates are refused even with the CA', async () => {
    expect(await failure(get(bed, `${bed.registries.expired.url}/v2/`))).toBe('CERT_HAS_EXPIRED')
    expect(await failure(get(bed, `${bed.registries.wronghost.url}/v2/`))).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    )
  })

  it('mtls wants the client certificate', async () => {
    const url = `${bed.registries.mtls.url}/v2/`
    await failure(get(bed, url))
    expect((await get(bed, url, { clientCert: true })).status).toBe(200)
  })
})
