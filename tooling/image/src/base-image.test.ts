import { dockerCli, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { BASE_FINGERPRINT_LABEL, ensureNodeBaseImage, imagePathFor, sharedLibraries } from './base-image.ts'
import { ImageError } from './errors.ts'

const bed = inject('testbed')
const env = { ...process.env, DOCKER_HOST: bed.docker.host }

describe('imagePathFor', () => {
  it('puts /lib, /lib64, /bin and /sbin paths under /usr (merged /usr, as Debian slim)', () => {
    expect(imagePathFor('/lib/x86_64-linux-gnu/libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6')
    expect(imagePathFor('/lib64/ld-linux-x86-64.so.2')).toBe('/usr/lib64/ld-linux-x86-64.so.2')
    expect(imagePathFor('/usr/lib/x86_64-linux-gnu/libz.so.1')).toBe('/usr/lib/x86_64-linux-gnu/libz.so.1')
  })
})

describe('sharedLibraries', () => {
  it("lists node's libraries and the loader", async () => {
    const libs = await sharedLibraries('/usr/bin/node')
    expect(libs.some((l) => /\/libc\.so\.6$/.test(l))).toBe(true)
    expect(libs.some((l) => /\/libstdc\+\+\.so/.test(l))).toBe(true)
    expect(libs.some((l) => /ld-linux-x86-64\.so\.2$/.test(l))).toBe(true)
    expect(libs.every((l) => l.startsWith('/'))).toBe(true)
  })

  it('names the program when ldd cannot read it', async () => {
    const err = await sharedLibraries('/etc/hostname').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ImageError)
    expect((err as ImageError).code).toBe('WT_IMAGE_LDD')
    expect((err as ImageError).message).toContain('/etc/hostname')
  })
})

describe('ensureNodeBaseImage (real engine)', () => {
  const name = `${uniqueName('wt-image-base')}:20-slim`
  afterAll(async () => {
    await dockerCli(bed, ['image', 'rm', '-f', name])
  })

  it('makes a base whose node runs with its own libraries, then reuses it', async () => {
    const first = await ensureNodeBaseImage({ name, env })
    expect(first.created).toBe(true)
    expect(first.nodeVersion).toBe(process.version)
    const again = await ensureNodeBaseImage({ name, env })
    expect(again).toEqual({ ...first, created: false })

    const r = await dockerCli(bed, [
      'run',
      '--rm',
      '--network',
      'none',
      name,
      'node',
      '-e',
      `const fs = require('node:fs')
       console.log(JSON.stringify({
         version: process.version,
         which: fs.realpathSync('/usr/local/bin/node'),
         ca: fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8').includes('BEGIN CERTIFICATE'),
         lib: fs.lstatSync('/lib').isSymbolicLink() && fs.readlinkSync('/lib'),
         tls: require('node:tls').rootCertificates.length > 0,
       }))`,
    ])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      version: process.version,
      which: '/usr/local/bin/node',
      ca: true,
      lib: 'usr/lib',
      tls: true,
    })
    const sh = await dockerCli(bed, [
      'run',
      '--rm',
      '--network',
      'none',
      name,
      'sh',
      '-c',
      'id -un; echo $PATH',
    ])
    expect(sh.stdout.trim().split('\n')).toEqual([
      'root',
      '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ])
    const labels = await dockerCli(bed, ['image', 'inspect', '--format', '{{json .Config}}', name], {
      reject: true,
    })
    const config = JSON.parse(labels.stdout) as {
      Labels: Record<string, string>
      Cmd: string[]
      Env: string[]
    }
    expect(config.Labels[BASE_FINGERPRINT_LABEL]).toMatch(/^[0-9a-f]{32}$/)
    expect(config.Cmd).toEqual(['node'])
    expect(config.Env).toContain(`NODE_VERSION=${process.version.slice(1)}`)
  })

  it('remakes the image when forced, and names a node binary that does not run', async () => {
    const forced = await ensureNodeBaseImage({ name, env, force: true })
    expect(forced.created).toBe(true)
    const err = await ensureNodeBaseImage({ name, env, nodeBinary: '/nonexistent/node' }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ImageError)
    expect((err as ImageError).code).toBe('WT_IMAGE_NODE_BINARY')
    expect((err as ImageError).message).toContain('/nonexistent/node')
  })
})
