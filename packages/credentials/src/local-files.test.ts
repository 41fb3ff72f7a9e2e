/**
 * Hostile local files (real files, a real FIFO, real devices): config.json and `*_FILE` secrets are
 * read bounded in size and time, special files are refused with a clear error, and a parse error
 * names the file and the position at any depth.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { expectNoSecrets, rejection, useTmp } from '../test/fixtures.ts'
import { describeJsonError } from './_json-position.ts'
import { parseDockerConfig } from './config-file.ts'
import { createCredentialResolver } from './resolver.ts'

const tmp = useTmp()

describe('config.json and secret files are bounded and must be regular files', () => {
  it('a FIFO as config.json is refused at once (no lookup hangs)', async () => {
    const dir = await tmp()
    execFileSync('mkfifo', [join(dir, 'config.json')])
    const started = Date.now()
    const error = await rejection(
      createCredentialResolver({ env: { DOCKER_CONFIG: dir } }).resolve('ghcr.io'),
    )
    expect(error.code).toBe('WT_CREDENTIALS_FILE_UNREADABLE')
    expect(error.message).toBe(
      `cannot read ${dir}/config.json: it is a FIFO (named pipe), not a regular file`,
    )
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('REPO_PASS_FILE=/dev/zero is refused, not read (about 600 MB before)', async () => {
    const error = await rejection(
      createCredentialResolver({ env: { REPO_USER: 'u', REPO_PASS_FILE: '/dev/zero' } }).resolve('ghcr.io'),
    )
    expect(error.code).toBe('WT_CREDENTIALS_FILE_UNREADABLE')
    expect(error.message).toBe('REPO_PASS_FILE: cannot read /dev/zero: it is a device, not a regular file')
  })

  it('a directory as REPO_USER_FILE, and a secret file over its 64 KiB cap, are refused', async () => {
    const dir = await tmp()
    await mkdir(join(dir, 'd'))
    await writeFile(join(dir, 'big'), 'x'.repeat(64 * 1024 + 1))
    const d = await rejection(
      createCredentialResolver({ env: { REPO_USER_FILE: join(dir, 'd'), REPO_PASS: 'p' } }).resolve(
        'ghcr.io',
      ),
    )
    expect(d.message).toBe(`REPO_USER_FILE: cannot read ${dir}/d: it is a directory, not a regular file`)
    const big = await rejection(
      createCredentialResolver({ env: { REPO_USER: 'u', REPO_PASS_FILE: join(dir, 'big') } }).resolve(
        'ghcr.io',
      ),
    )
    expect(big.message).toBe(
      `REPO_PASS_FILE: cannot read ${dir}/big: it is larger than the 65536-byte cap for it`,
    )
  })

  it('a truncated config.json nested 200 000 levels deep: file, line, column, no stack overflow', async () => {
    const dir = await tmp()
    const text = `{"auths":{"x":${'['.repeat(200_000)}`
    await writeFile(join(dir, 'config.json'), text)
    const error = await rejection(
      createCredentialResolver({ env: { DOCKER_CONFIG: dir } }).resolve('ghcr.io'),
    )
    expect(error.code).toBe('WT_CREDENTIALS_CONFIG_INVALID_JSON')
    expect(error.message).toBe(
      `${dir}/config.json is not valid JSON: unexpected end of file at line 1 column ${text.length + 1} (position ${text.length})`,
    )
  })
})

describe('the JSON error locator (property tests)', () => {
  const json = fc.json({ depthSize: 'medium' })
  test.prop([json, fc.nat(), fc.constantFrom('}', ']', ',', ':', 'x', '"')])(
    'names a position inside the text for any broken JSON, and never quotes it',
    (good, cut, junk) => {
      const at = cut % (good.length + 1)
      const broken = `${good.slice(0, at)}${junk}${good.slice(at)}`
      let valid = true
      try {
        JSON.parse(broken)
      } catch {
        valid = false
      }
      if (valid) return
      const d = describeJsonError(broken)
      expect(d.position).toBeGreaterThanOrEqual(0)
      expect(d.position).toBeLessThanOrEqual(broken.length)
      expect(d.line).toBeGreaterThanOrEqual(1)
    },
  )

  test.prop([
    fc.string({ minLength: 8, maxLength: 30 }).filter((s) => !s.includes('"') && !s.includes('\\')),
  ])('a parse error in config.json never quotes a secret it holds', (secret) => {
    const text = `{"auths":{"r":{"auth":"${secret}"}},`
    let message = ''
    try {
      parseDockerConfig(text, '/c/config.json')
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/^\/c\/config\.json is not valid JSON: /)
    expectNoSecrets(message, [secret])
  })
})
