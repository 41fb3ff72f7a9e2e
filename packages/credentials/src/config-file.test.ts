import { readFile as fsReadFile, mkdir, rename, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectNoSecrets, rejection, useTmp, writeConfig } from '../test/fixtures.ts'
import { createConfigLoader, locateDockerConfig, parseDockerConfig } from './config-file.ts'
import { CredentialsError } from './errors.ts'

const tmp = useTmp()

function countingLoader(file: string) {
  const reads: string[] = []
  const loader = createConfigLoader({
    file,
    stat: (p) => stat(p),
    readFile: (p, enc) => {
      reads.push(p)
      return fsReadFile(p, enc)
    },
  })
  return { loader, reads }
}

describe('locateDockerConfig', () => {
  it('uses $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    const home = () => '/home/u'
    expect(locateDockerConfig({ DOCKER_CONFIG: '/etc/wt' }, home)).toBe('/etc/wt/config.json')
    expect(locateDockerConfig({ DOCKER_CONFIG: '/' }, home)).toBe('/config.json')
    expect(locateDockerConfig({ DOCKER_CONFIG: '' }, home)).toBe('/home/u/.docker/config.json')
    expect(locateDockerConfig({}, home)).toBe('/home/u/.docker/config.json')
  })
})

describe('config loader', () => {
  it('treats a missing file (or folder) as no config', async () => {
    const dir = await tmp()
    expect((await countingLoader(join(dir, 'config.json')).loader.load()).config).toBeUndefined()
    expect((await countingLoader(join(dir, 'nope', 'config.json')).loader.load()).config).toBeUndefined()
  })

  it('reads once, then only stats until the file changes', async () => {
    const dir = await tmp()
    const file = await writeConfig(dir, { credsStore: 'one' })
    const { loader, reads } = countingLoader(file)
    expect((await loader.load()).config?.credsStore).toBe('one')
    expect(await loader.load()).toMatchObject({ generation: 1 })
    expect(reads).toHaveLength(1)
    await writeConfig(dir, { credsStore: 'two-longer' }) // same inode, new size
    expect((await loader.load()).config?.credsStore).toBe('two-longer')
    await writeConfig(dir, { credsStore: 'three-long' }) // same inode, same size: mtime/ctime differ
    await utimes(file, new Date(), new Date(Date.now() + 5000))
    expect((await loader.load()).config?.credsStore).toBe('three-long')
    expect(reads).toHaveLength(3)
  })

  it('concurrent loads share one stat and read', async () => {
    const dir = await tmp()
    const file = await writeConfig(dir, { credsStore: 'x' })
    const { loader, reads } = countingLoader(file)
    const results = await Promise.all([loader.load(), loader.load(), loader.load()])
    expect(results.map((r) => r.generation)).toEqual([1, 1, 1])
    expect(reads).toHaveLength(1)
  })

  it('picks up a config.json replaced by a new file (new inode), as in a mounted folder', async () => {
    const dir = await tmp()
    const file = await writeConfig(dir, { credsStore: 'old' })
    const { loader } = countingLoader(file)
    expect((await loader.load()).config?.credsStore).toBe('old')
    const before = await stat(file)
    const next = join(dir, 'config.json.new')
    await writeFile(next, JSON.stringify({ credsStore: 'new' }))
    await utimes(next, before.atime, before.mtime) // same mtime and size: only the inode tells
    await rename(next, file)
    expect((await stat(file)).ino).not.toBe(before.ino)
    expect(await loader.load()).toMatchObject({ generation: 2, config: { credsStore: 'new' } })
  })

  it('notices the file disappearing and coming back', async () => {
    const dir = await tmp()
    const { loader } = countingLoader(join(dir, 'config.json'))
    expect((await loader.load()).config).toBeUndefined()
    await writeConfig(dir, { credsStore: 'x' })
    expect((await loader.load()).config?.credsStore).toBe('x')
  })

  it('unreadable file: names the file and the reason (a directory)', async () => {
    const dir = await tmp()
    await mkdir(join(dir, 'config.json'))
    const error = await rejection(countingLoader(join(dir, 'config.json')).loader.load())
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error.code).toBe('WT_CREDENTIALS_FILE_UNREADABLE')
    expect(error.message).toBe(`cannot read ${join(dir, 'config.json')}: it is a directory (EISDIR)`)
  })

  it('unreadable file: permission denied (fs error injected: tests run as root)', async () => {
    const dir = await tmp()
    const file = await writeConfig(dir, {})
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' })
    const loader = createConfigLoader({ file, stat: (p) => stat(p), readFile: () => Promise.reject(denied) })
    const error = await rejection(loader.load())
    expect(error.message).toBe(`cannot read ${file}: permission denied (EACCES)`)
    expect(error.cause).toBe(denied)
  })
})

describe('parseDockerConfig', () => {
  it('reads auths, credHelpers and credsStore; an empty file or BOM is fine', () => {
    const config = parseDockerConfig(
      '\uFEFF{"auths":{"a":{"auth":"eDp5"},"b":{},"c":null},"credHelpers":{"gcr.io":"gcloud"},"credsStore":"pass","HttpHeaders":{"User-Agent":"x"}}',
      '/c.json',
    )
    expect([...config.auths.keys()]).toEqual(['a', 'b'])
    expect(config.credHelpers.get('gcr.io')).toBe('gcloud')
    expect(config.credsStore).toBe('pass')
    expect(parseDockerConfig('', '/c.json').auths.size).toBe(0)
    expect(parseDockerConfig('  \n', '/c.json').credsStore).toBeUndefined()
  })

  it.each([
    ['{"auths": {"r": {"auth": "c2VjcmV0"}', 'unexpected end of file at line 1 column 37'],
    [
      '{\n  "auths": {\n    "r": {"auth": "c2VjcmV0"},\n  }\n}',
      'expected a double-quoted property name at line 4 column 3',
    ],
    [
      '{"auths": {"r": {"auth": "c2VjcmV0" "password": "hunter2"}}}',
      'expected "," or "}" after a property value at line 1 column 37',
    ],
    ['hunter2', 'unexpected character at line 1 column 1'],
    ['{"password": "hun\tter2"}', 'control character inside a string at line 1 column 18'],
    ['{} hunter2', 'unexpected text after the JSON value at line 1 column 4'],
  ])('malformed JSON %#: names file, line and column, never the text', (text, where) => {
    let error: unknown
    try {
      parseDockerConfig(text, '/etc/wt/config.json')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error).not.toBeInstanceOf(SyntaxError)
    expect((error as CredentialsError).code).toBe('WT_CREDENTIALS_CONFIG_INVALID_JSON')
    expect((error as CredentialsError).message).toContain(`/etc/wt/config.json is not valid JSON: ${where}`)
    expectNoSecrets(error, ['c2VjcmV0', 'hunter2', 'hun\tter2'])
  })

  it.each([
    ['[]', 'the top level must be a JSON object'],
    ['{"auths": []}', '"auths" must be an object'],
    ['{"auths": {"r": "c2VjcmV0"}}', 'auths["r"] must be an object'],
    ['{"auths": {"r": {"auth": 5}}}', 'auths["r"].auth must be a string'],
    ['{"credHelpers": {"gcr.io": true}}', 'credHelpers["gcr.io"] must be a string'],
    ['{"credsStore": {}}', '"credsStore" must be a string'],
    ['{"credsStore": "../../tmp/evil"}', '"credsStore" must be a helper name such as "pass" or "ecr-login"'],
    [
      '{"credHelpers": {"gcr.io": "gcloud; rm -rf /"}}',
      'credHelpers["gcr.io"] must be a helper name such as',
    ],
  ])('wrong shape %s: names file and field', (text, message) => {
    expect(() => parseDockerConfig(text, '/c.json')).toThrow(`/c.json: ${message}`)
  })
})
