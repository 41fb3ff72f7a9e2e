import { describe, expect, it } from 'vitest'
import { createHttpProbe } from './http-probe.ts'

const probe = (image: string) => createHttpProbe({ image, insecureRegistries: [], env: {}, now: Date.now })

describe('step 1: the reference as parsed', () => {
  it.each([
    [
      'nginx',
      { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest' },
    ],
    ['index.docker.io/team/app:1', { registry: 'docker.io', repository: 'team/app', tag: '1' }],
    [
      `127.0.0.1:5000/a/b@sha256:${'c'.repeat(64)}`,
      { registry: '127.0.0.1:5000', digest: `sha256:${'c'.repeat(64)}` },
    ],
  ])('%s', async (image, expected) => {
    const step = await probe(image).reference()
    expect(step.status).toBe('ok')
    expect(step.details).toMatchObject(expected)
  })

  it('an invalid reference is a usage failure (exit 2) that says what is wrong', async () => {
    const error = await probe('Bad//Ref')
      .reference()
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WT_CREDCHECK_INVALID_REFERENCE', exitCode: 2 })
    expect((error as Error).message).toMatch(/invalid image reference "Bad\/\/Ref"/)
  })
})
