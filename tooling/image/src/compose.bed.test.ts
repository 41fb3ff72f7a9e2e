import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dockerCli, pushImage, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { waitFor } from './_e2e.ts'
import { buildImageLayout, REPO_ROOT } from './layout.ts'
import { pushLayout } from './release.ts'

// examples/compose/docker-compose.yml, brought up with Debian's docker-compose 1.29 on the bed's
// engine. The watchtower image comes from the bed's basic registry (released by pushLayout), the
// app's image too. The main engine has no bridge, so a small override (the test's, not the
// example's) puts watchtower on the host network on a free port and the app on none, and gives
// both a scope so this watchtower never touches other tests' containers on the shared engine.
// docker-compose 1.29 (docker-py) refuses `network_mode: host` together with published ports and
// an override cannot remove a list entry, so the test's copy of the example drops its `ports:`
// block (checked to be there first); everything else is the example as users get it.
const bed = inject('testbed')
const exec = promisify(execFile)
const registry = bed.registries.basic.host
const project = uniqueName('wtcompose').replace(/[^a-z0-9]/g, '')
const token = `tok-${project}`
let dir: string
let port: number
let env: NodeJS.ProcessEnv
let appRef: string
const images: string[] = []

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

function compose(args: string[]) {
  return exec(
    'docker-compose',
    ['-p', project, '-f', 'docker-compose.yml', '-f', 'test.override.yml', ...args],
    {
      cwd: dir,
      env,
      timeout: 300_000,
    },
  )
}

async function containerOf(service: string): Promise<{ id: string; image: string }> {
  const r = await dockerCli(
    bed,
    [
      'ps',
      '-a',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--format',
      '{{.ID}}',
    ],
    { reject: true },
  )
  const ids = r.stdout.split('\n').filter(Boolean)
  if (ids.length !== 1) throw new Error(`${ids.length} containers for ${service}`)
  const image = await dockerCli(bed, ['inspect', '--format', '{{.Id}} {{.Image}}', ids[0] as string], {
    reject: true,
  })
  const [id = '', img = ''] = image.stdout.trim().split(' ')
  return { id, image: img }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wt-compose-test-'))
  port = await freePort()
  // The watchtower image, released to the bed registry (this engine's platform is enough here).
  const layout = await buildImageLayout({
    outDir: join(dir, 'oci'),
    version: '0.9.0',
    architectures: ['amd64'],
  })
  const wtRepository = `alice/${project}-watchtower`
  await pushLayout(layout.dir, {
    registry,
    repository: wtRepository,
    version: '0.9.0',
    dockerConfig: bed.dockerConfigDir,
    caFile: bed.tls.caCert,
  })
  const watchtowerImage = `${registry}/${wtRepository}:0.9`
  images.push(watchtowerImage)
  // The app, v1 on the registry.
  const app = await pushImage(bed, {
    registry: 'basic',
    variant: 'v1',
    repository: `alice/${project}-app`,
    tag: 'stable',
  })
  appRef = app.ref
  images.push(appRef)

  const example = await readFile(join(REPO_ROOT, 'examples/compose/docker-compose.yml'), 'utf8')
  const portsBlock = /^ {4}ports:\n {6}- "8080:8080"\n/m
  expect(example).toMatch(portsBlock)
  await writeFile(join(dir, 'docker-compose.yml'), example.replace(portsBlock, ''))
  await copyFile(join(bed.dockerConfigDir, 'config.json'), join(dir, 'config.json'))
  await writeFile(
    join(dir, 'test.override.yml'),
    [
      'services:',
      '  watchtower:',
      '    network_mode: host',
      '    labels:',
      `      com.centurylinklabs.watchtower.scope: ${project}`,
      '    environment:',
      `      WATCHTOWER_SCOPE: ${project}`,
      '      WATCHTOWER_HTTP_API_HOST: 127.0.0.1',
      `      WATCHTOWER_HTTP_API_PORT: "${port}"`,
      '      WATCHTOWER_REGISTRY_CA: /certs/ca.pem',
      '    volumes:',
      `      - ${bed.docker.socketPath}:/var/run/docker.sock`,
      `      - ${bed.tls.caCert}:/certs/ca.pem:ro`,
      '  app:',
      '    network_mode: none',
      '    labels:',
      `      com.centurylinklabs.watchtower.scope: ${project}`,
      '',
    ].join('\n'),
  )
  env = {
    ...process.env,
    DOCKER_HOST: bed.docker.host,
    DOCKER_CONFIG: bed.dockerConfigDir,
    WATCHTOWER_IMAGE: watchtowerImage,
    APP_IMAGE: appRef,
    WATCHTOWER_HTTP_API_TOKEN: token,
  }
  // Only a pull may bring the watchtower image: compose pulls it from the registry.
  await dockerCli(bed, ['image', 'rm', watchtowerImage])
})

afterAll(async () => {
  if (dir) await compose(['down', '--remove-orphans', '--timeout', '2']).catch(() => undefined)
  for (const i of images) await dockerCli(bed, ['image', 'rm', i])
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('examples/compose/docker-compose.yml (docker-compose 1.29, real engine, images from the bed registry)', () => {
  it('comes up; watchtower updates the app service after a push; compose then keeps the new image and settles', async () => {
    const version = await exec('docker-compose', ['version', '--short'])
    expect(version.stdout.trim()).toMatch(/^1\.29\./)
    const up = await compose(['up', '-d'])
    expect(up.stderr).toMatch(/Pulling watchtower|Creating/)

    const health = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(2000) })
      return r.status === 200 ? r.status : undefined
    }, 60_000)
    const watchtowerBefore = await containerOf('watchtower')
    const logs = async () => {
      const l = await dockerCli(bed, ['logs', '--tail', '40', watchtowerBefore.id])
      return `watchtower's log:\n${l.stdout}${l.stderr}`
    }
    expect(health, await logs()).toBe(200)
    const appBefore = await containerOf('app')
    const v1 = (
      await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', bed.images.v1], { reject: true })
    ).stdout.trim()
    const v2 = (
      await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', bed.images.v2], { reject: true })
    ).stdout.trim()
    expect(appBefore.image).toBe(v1)

    // A new app image is pushed; the local tag is put back on v1 so only watchtower's pull brings v2.
    await pushImage(bed, {
      registry: 'basic',
      variant: 'v2',
      repository: `alice/${project}-app`,
      tag: 'stable',
    })
    await dockerCli(bed, ['tag', bed.images.v1, appRef], { reject: true })
    const res = await fetch(`http://127.0.0.1:${port}/v1/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(120_000),
    })
    expect(res.status).toBe(200)
    const appAfter = await waitFor(async () => {
      const c = await containerOf('app')
      return c.image === v2 ? c : undefined
    }, 60_000)
    expect(appAfter?.image, await logs()).toBe(v2)
    expect(appAfter?.id).not.toBe(appBefore.id)
    const state = await dockerCli(
      bed,
      ['inspect', '--format', '{{.State.Running}} {{.Name}}', appAfter?.id ?? ''],
      {
        reject: true,
      },
    )
    expect(state.stdout.trim()).toBe(`true /${project}_app_1`)

    // docker-compose 1.29 hashes the local image's ID into com.docker.compose.config-hash
    // (compose/service.py, config_dict → image_id), a label no updater can recompute: after any
    // update of the image behind a tag, its next `up -d` recreates that service once, on the same
    // new image (never back to v1); watchtower itself is left alone, and nothing is recreated after.
    const again = await compose(['up', '-d'])
    expect(again.stderr).toMatch(new RegExp(`${project}_watchtower_1 is up-to-date`))
    expect((await containerOf('watchtower')).id).toBe(watchtowerBefore.id)
    const appAgain = await containerOf('app')
    expect(appAgain.image).toBe(v2)
    const third = await compose(['up', '-d'])
    expect(third.stderr).not.toMatch(/Recreating|Creating/)
    expect(third.stderr).toMatch(new RegExp(`${project}_app_1 is up-to-date`))
    expect((await containerOf('app')).id).toBe(appAgain.id)
    expect((await containerOf('watchtower')).id).toBe(watchtowerBefore.id)
  })
})
