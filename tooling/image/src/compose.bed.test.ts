import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, waitFor } from '@watchtower-ts/test-utils'
import { dockerCli, pushImage, uniqueName } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { COMPOSE_V1, type ComposeClient, composeV2 } from './_compose.ts'
import { buildImageLayout, REPO_ROOT } from './layout.ts'
import { pushLayout } from './release.ts'

// examples/compose/docker-compose.yml, brought up on the bed's engine with Debian's docker-compose
// 1.29 and with Compose v2 (Debian trixie's 2.26, fetched, not installed). The watchtower image comes from the bed's basic registry (released by pushLayout), the
// app's image too. The main engine has no bridge, so a small override (the test's, not the
// example's) puts watchtower on the host network on a free port and the app on none, and gives
// both a scope so this watchtower never touches other tests' containers on the shared engine.
// docker-compose 1.29 (docker-py) refuses `network_mode: host` together with published ports and
// an override cannot remove a list entry, so for it the test's copy of the example drops its
// `ports:` block (checked to be there first); Compose v2 takes the example as it is.
const bed = inject('testbed')
const exec = promisify(execFile)
const registry = bed.registries.basic.host
const base = uniqueName('wtcompose').replace(/[^a-z0-9]/g, '')
let work: string
let watchtowerImage: string
const images: string[] = []
const downs: (() => Promise<unknown>)[] = []

async function imageIdOf(ref: string): Promise<string> {
  return (
    await dockerCli(bed, ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: true })
  ).stdout.trim()
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wt-compose-test-'))
  // The watchtower image, released to the bed registry (this engine's platform is enough here).
  const layout = await buildImageLayout({
    outDir: join(work, 'oci'),
    version: '0.9.0',
    architectures: ['amd64'],
  })
  const wtRepository = `alice/${base}-watchtower`
  await pushLayout(layout.dir, {
    registry,
    repository: wtRepository,
    version: '0.9.0',
    dockerConfig: bed.dockerConfigDir,
    caFile: bed.tls.caCert,
  })
  watchtowerImage = `${registry}/${wtRepository}:0.9`
  images.push(watchtowerImage)
})

afterAll(async () => {
  for (const down of downs) await down().catch(() => undefined)
  for (const i of images) await dockerCli(bed, ['image', 'rm', i])
  if (work) await rm(work, { recursive: true, force: true })
})

/** Brings the example up as `project` with `client`; returns compose(args) and the container lookup. */
async function bringUp(client: ComposeClient, project: string, keepPorts: boolean) {
  const dir = join(work, project)
  await mkdir(dir)
  const port = await freePort()
  const token = `tok-${project}`
  const app = await pushImage(bed, {
    registry: 'basic',
    variant: 'v1',
    repository: `alice/${project}-app`,
    tag: 'stable',
  })
  // the tag, and the digest reference the push left on the bed's shared v1 image
  images.push(app.ref, `${app.ref.slice(0, app.ref.lastIndexOf(':'))}@${app.digest}`)
  const example = await readFile(join(REPO_ROOT, 'examples/compose/docker-compose.yml'), 'utf8')
  const portsBlock = /^ {4}ports:\n {6}- "8080:8080"\n/m
  expect(example).toMatch(portsBlock)
  await writeFile(join(dir, 'docker-compose.yml'), keepPorts ? example : example.replace(portsBlock, ''))
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
  const env = {
    ...process.env,
    DOCKER_HOST: bed.docker.host,
    DOCKER_CONFIG: bed.dockerConfigDir,
    WATCHTOWER_IMAGE: watchtowerImage,
    APP_IMAGE: app.ref,
    WATCHTOWER_HTTP_API_TOKEN: token,
  }
  const compose = (args: string[]) =>
    exec(client.bin, ['-p', project, '-f', 'docker-compose.yml', '-f', 'test.override.yml', ...args], {
      cwd: dir,
      env,
      timeout: 300_000,
    })
  downs.push(() => compose(['down', '--remove-orphans', '--timeout', '2']))
  const containerOf = async (service: string): Promise<{ id: string; image: string; name: string }> => {
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
    const i = await dockerCli(
      bed,
      ['inspect', '--format', '{{.Id}} {{.Image}} {{.Name}}', ids[0] as string],
      {
        reject: true,
      },
    )
    const [id = '', image = '', name = ''] = i.stdout.trim().split(' ')
    return { id, image, name }
  }
  return { compose, containerOf, port, token, appRef: app.ref }
}

/** Up, a new app image pushed, POST /v1/update; returns what the test checks afterwards. */
async function upAndUpdate(client: ComposeClient, project: string, keepPorts: boolean) {
  const u = await bringUp(client, project, keepPorts)
  await u.compose(['up', '-d'])
  const watchtower = await u.containerOf('watchtower')
  const logs = async () => {
    const l = await dockerCli(bed, ['logs', '--tail', '40', watchtower.id])
    return `watchtower's log:\n${l.stdout}${l.stderr}`
  }
  const health = await waitFor(async () => {
    const r = await fetch(`http://127.0.0.1:${u.port}/v1/health`, { signal: AbortSignal.timeout(2000) })
    return r.status === 200 ? r.status : undefined
  }, 60_000)
  expect(health, await logs()).toBe(200)
  const appBefore = await u.containerOf('app')
  const v1 = await imageIdOf(bed.images.v1)
  const v2 = await imageIdOf(bed.images.v2)
  expect(appBefore.image).toBe(v1)

  // A new app image is pushed; the local tag is put back on v1 so only watchtower's pull brings v2.
  const pushed = await pushImage(bed, {
    registry: 'basic',
    variant: 'v2',
    repository: `alice/${project}-app`,
    tag: 'stable',
  })
  images.push(`${u.appRef.slice(0, u.appRef.lastIndexOf(':'))}@${pushed.digest}`)
  await dockerCli(bed, ['tag', bed.images.v1, u.appRef], { reject: true })
  const res = await fetch(`http://127.0.0.1:${u.port}/v1/update`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.token}` },
    signal: AbortSignal.timeout(120_000),
  })
  expect(res.status).toBe(200)
  const appAfter = await waitFor(async () => {
    const c = await u.containerOf('app')
    return c.image === v2 ? c : undefined
  }, 60_000)
  expect(appAfter?.image, await logs()).toBe(v2)
  expect(appAfter?.id).not.toBe(appBefore.id)
  expect(appAfter?.name).toBe(`/${project}${client.separator}app${client.separator}1`)
  const running = await dockerCli(bed, ['inspect', '--format', '{{.State.Running}}', appAfter?.id ?? ''], {
    reject: true,
  })
  expect(running.stdout.trim()).toBe('true')
  return { ...u, watchtower, appAfter: appAfter as { id: string; image: string }, v2 }
}

describe('examples/compose/docker-compose.yml on the real engine, images from the bed registry', () => {
  it('Compose v2: up; watchtower updates the app service after a push; a following up -d recreates nothing', async () => {
    const client = await composeV2()
    const version = await exec(client.bin, ['version', '--short'])
    expect(version.stdout.trim()).toMatch(/^2\./)
    const r = await upAndUpdate(client, `${base}v2`, true)
    const again = await r.compose(['up', '-d'])
    expect(again.stderr).not.toMatch(/Recreat|Creat/)
    expect((await r.containerOf('app')).id).toBe(r.appAfter.id)
    expect((await r.containerOf('watchtower')).id).toBe(r.watchtower.id)
  })

  it('docker-compose 1.29: the same; its next up -d recreates the updated service once, on the new image', async () => {
    const version = await exec(COMPOSE_V1.bin, ['version', '--short'])
    expect(version.stdout.trim()).toMatch(/^1\.29\./)
    const project = `${base}v1`
    const r = await upAndUpdate(COMPOSE_V1, project, false)
    // docker-compose 1.29 hashes the local image's ID into com.docker.compose.config-hash
    // (compose/service.py, config_dict → image_id), a label no updater can recompute: after any
    // update of the image behind a tag, its next `up -d` recreates that service once, on the same
    // new image (never back to v1); watchtower itself is left alone, and nothing is recreated after.
    const again = await r.compose(['up', '-d'])
    expect(again.stderr).toMatch(new RegExp(`${project}_watchtower_1 is up-to-date`))
    expect((await r.containerOf('watchtower')).id).toBe(r.watchtower.id)
    const appAgain = await r.containerOf('app')
    expect(appAgain.image).toBe(r.v2)
    const third = await r.compose(['up', '-d'])
    expect(third.stderr).not.toMatch(/Recreating|Creating/)
    expect(third.stderr).toMatch(new RegExp(`${project}_app_1 is up-to-date`))
    expect((await r.containerOf('app')).id).toBe(appAgain.id)
    expect((await r.containerOf('watchtower')).id).toBe(r.watchtower.id)
  })
})
