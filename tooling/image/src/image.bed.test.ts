import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dockerCli, pushImage, tokenLog, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { bedConfigJson, buildImage, imageId, inspectContainer, runWatchtowerContainer } from './_e2e.ts'
import { type BuiltImage, REPO_ROOT } from './build-image.ts'

const bed = inject('testbed')
const nodeVersion = (await readFile(join(REPO_ROOT, '.node-version'), 'utf8')).trim()
const tag = `${uniqueName('wt-image')}:test`
const cleanup: string[][] = []
let image: BuiltImage

beforeAll(async () => {
  image = await buildImage(bed, tag)
})

afterAll(async () => {
  for (const args of cleanup.reverse()) await dockerCli(bed, args)
  await dockerCli(bed, ['image', 'rm', tag])
})

describe('the watchtower image', () => {
  it('is labelled as a watchtower, on node 24, amd64, with DOCKER_CONFIG=/, a health check and the CLI as entrypoint', async () => {
    const r = await dockerCli(bed, ['image', 'inspect', '--format', '{{json .Config}}', tag], {
      reject: true,
    })
    const config = JSON.parse(r.stdout) as {
      Labels: Record<string, string>
      Env: string[]
      Entrypoint: string[]
      Healthcheck: { Test: string[] }
    }
    expect(config.Labels['com.centurylinklabs.watchtower']).toBe('true')
    expect(config.Env).toContain('DOCKER_CONFIG=/')
    expect(config.Entrypoint).toEqual(['/watchtower'])
    expect(config.Healthcheck.Test).toEqual(['CMD', '/watchtower', '--health-check'])
    expect(config.Env).toContain(`NODE_VERSION=${nodeVersion}`)
    // node 24 (~127 MB, the official binary) and its libraries are nearly all of it; the app is ~3.5 MB.
    expect(image.sizeBytes).toBeLessThan(145e6)
    const arch = await dockerCli(bed, ['image', 'inspect', '--format', '{{.Architecture}} {{.Os}}', tag], {
      reject: true,
    })
    expect(arch.stdout.trim()).toBe('amd64 linux')

    const version = await dockerCli(bed, ['run', '--rm', '--network', 'none', tag, '--version'])
    expect(version.stdout).toMatch(/^watchtower \d+\.\d+\.\d+/)
    expect(version.code).toBe(0)
    // No shell in the image: node itself lists what is there.
    const script = [
      "const fs = require('node:fs')",
      "const { execFileSync } = require('node:child_process')",
      "console.log(fs.readdirSync('/usr/local/lib/watchtower').join(' '))",
      "console.log(['/bin/sh', '/src', '/node_modules', '/usr/bin/busybox'].filter((p) => fs.existsSync(p)).join(' ') || 'none')",
      "try { execFileSync('/watchtower', ['--health-check'], { stdio: 'inherit' }); console.log('health=0') } catch (e) { console.log('health=' + e.status) }",
      'console.log(process.version, process.arch)',
    ].join(';')
    const files = await dockerCli(bed, [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/usr/local/bin/node',
      tag,
      '-e',
      script,
    ])
    const lines = files.stdout.trim().split('\n')
    expect(lines[0]?.split(' ')).toEqual(expect.arrayContaining(['dist', 'package.json', 'watchtower.mjs']))
    expect(lines[1]).toBe('none')
    // No daemon in this container, so no heartbeat: the health check says unhealthy, and why.
    expect(files.stdout).toContain('health=1')
    expect(files.stdout + files.stderr).toContain('unhealthy: no heartbeat yet')
    expect(lines.at(-1)).toBe(`v${nodeVersion} x64`)
  })

  it('refuses --health-check as the main process (PID 1), as upstream', async () => {
    const r = await dockerCli(bed, ['run', '--rm', '--network', 'none', tag, '--health-check'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('--health-check')
  })
})

describe('docker run … <image> --run-once (token registry behind the private CA)', () => {
  /** Pushes v1, starts a container from it, pushes v2 to the same tag; returns the names. */
  async function staleContainer() {
    const repository = `alice/${uniqueName('img-run-once')}`
    const name = uniqueName('img-app')
    const { ref, digest } = await pushImage(bed, {
      registry: 'token',
      variant: 'v1',
      repository,
      tag: 'latest',
    })
    const repo = ref.slice(0, ref.lastIndexOf(':'))
    cleanup.push(['image', 'rm', ref, `${repo}@${digest}`])
    await dockerCli(
      bed,
      [
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        '--restart',
        'unless-stopped',
        '--label',
        'demo.owner=image-tests',
        '-e',
        'GREETING=hello world',
        ref,
      ],
      { reject: true },
    )
    cleanup.push(['rm', '-f', name])
    const v2 = await pushImage(bed, { registry: 'token', variant: 'v2', repository, tag: 'latest' })
    cleanup.push(['image', 'rm', `${repo}@${v2.digest}`])
    // The local tag now names v2; put it back on v1 so only a pull can bring v2.
    await dockerCli(bed, ['tag', bed.images.v1, ref], { reject: true })
    return { repository, name, ref }
  }

  it('updates a container with the credentials of /config.json and WATCHTOWER_REGISTRY_CA', async () => {
    const { repository, name } = await staleContainer()
    const before = await inspectContainer(bed, name)
    expect(before.Image).toBe(await imageId(bed, bed.images.v1))

    const r = await runWatchtowerContainer(bed, tag, ['--run-once', name], {
      volumes: [`${await bedConfigJson(bed)}:/config.json:ro`, `${bed.tls.caCert}:/certs/ca.pem:ro`],
      env: ['WATCHTOWER_REGISTRY_CA=/certs/ca.pem'],
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`Updated ${name}`)

    const after = await inspectContainer(bed, name)
    expect(after.Image).toBe(await imageId(bed, bed.images.v2))
    expect(after.Id).not.toBe(before.Id)
    expect(after.State.Running).toBe(true)
    expect(after.Name).toBe(before.Name)
    expect(after.Config.Image).toBe(before.Config.Image)
    expect(after.Config.Env).toEqual(before.Config.Env)
    expect(after.Config.Labels['demo.owner']).toBe('image-tests')
    expect(after.Config.Labels['wt-testbed.variant']).toBe('v2')
    expect(after.HostConfig.NetworkMode).toBe('none')
    expect(after.HostConfig.RestartPolicy.Name).toBe('unless-stopped')
    const version = await dockerCli(bed, ['exec', name, 'cat', '/version'], { reject: true })
    expect(version.stdout.trim()).toBe('v2')

    // alice's credentials came from the mounted config.json: the token server saw her ask for this repository.
    const asked = (await tokenLog(bed)).filter((t) => t.scopes.some((s) => s.includes(repository)))
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every((t) => t.account === 'alice' && t.status === 200)).toBe(true)
    // No secret in the output.
    expect(`${r.stdout}${r.stderr}`).not.toContain(bed.users.alice.password)
  })

  it('leaves the container alone when the private CA is not given (the registry is not trusted)', async () => {
    const { name } = await staleContainer()
    const r = await runWatchtowerContainer(bed, tag, ['--run-once', name], {
      volumes: [`${await bedConfigJson(bed)}:/config.json:ro`],
    })
    expect(r.stderr).not.toContain(`Updated ${name}`)
    const after = await inspectContainer(bed, name)
    expect(after.Image).toBe(await imageId(bed, bed.images.v1))
  })
})
