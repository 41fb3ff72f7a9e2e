import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { buildWatchtowerImage } from '@watchtower-ts/image'
import { waitFor } from '@watchtower-ts/test-utils'
import { dockerCli, type IsolatedEngine, isolatedEngine, modernEngine } from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bed, docker, uniqueName } from '../../test/e2e-bed.ts'

// The real image, as users run it: a watchtower container pulled from a registry, on a
// user-defined network, publishing its HTTP API with `-p HOSTPORT:8080`, updates itself through
// the API when a new image is pushed; a new image that fails its health check leaves the old one
// running. On both isolated engines (20.10 and 26.1: bridges exist only in their namespaces);
// the port is asked from inside the namespace (nsenter --net), never from outside.
const S = uniqueName('wt-app-self')
const built: string[] = []
let release1 = ''
let release2 = ''

beforeAll(async () => {
  // Two releases of the same sources (a new build id is a new image), built once on the main engine.
  for (const buildId of ['r1', 'r2']) {
    const image = await buildWatchtowerImage({
      tag: `${S}-build:${buildId}`,
      buildId: `${S}-${buildId}`,
      env: { ...process.env, DOCKER_HOST: bed.docker.host },
    })
    built.push(image.tag)
    if (buildId === 'r1') release1 = image.id
    else release2 = image.id
  }
}, 600_000)

/** Ids of the images whose repository names `part` (pushed and pulled ones are left untagged). */
async function imagesOf(list: Promise<string>, part: string): Promise<string[]> {
  const lines = (await list.catch(() => '')).split('\n').filter((l) => l.includes(part))
  return [...new Set(lines.map((l) => l.split(' ')[0] ?? ''))].filter(Boolean)
}

afterAll(async () => {
  const ids = await imagesOf(docker(['images', '--format', '{{.ID}} {{.Repository}}']), S)
  if (ids.length) await dockerCli(bed, ['rmi', '-f', ...ids])
})

/** GET/POST on 127.0.0.1:port inside the namespace; the HTTP status, or 0 when nothing answers. */
async function inNamespace(iso: IsolatedEngine, port: number, path: string, post = false): Promise<number> {
  const script = `fetch('http://127.0.0.1:${port}${path}',{method:'${post ? 'POST' : 'GET'}',headers:{authorization:'Bearer tok'},signal:AbortSignal.timeout(${post ? 120_000 : 3000})}).then(async r=>{await r.arrayBuffer();console.log(r.status)},()=>console.log(0))`
  const r = await promisify(execFile)('nsenter', [`--net=${iso.netnsPath}`, process.execPath, '-e', script], {
    timeout: 130_000,
  }).catch(() => ({ stdout: '0' }))
  return Number(r.stdout.trim()) || 0
}

describe.each([
  { kind: '20', start: isolatedEngine },
  { kind: '26', start: modernEngine },
] as const)('self-update of the watchtower container (engine $kind)', ({ kind, start }) => {
  const name = `${S}-${kind}`
  const net = `${name}-net`
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  let iso: IsolatedEngine
  let pushRef = ''
  let runRef = ''
  const d = (args: readonly string[]) =>
    dockerCli(bed, args, { host: iso.host, reject: true }).then((r) => r.stdout.trim())
  const names = async () =>
    (await d(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter((n) => n.startsWith(name))
  /** Publishes `image` (an id on the main engine) as the repository's `latest`. */
  const release = async (image: string) => {
    await docker(['tag', image, pushRef])
    await docker(['push', pushRef])
  }
  const state = async () => {
    const [id = '', image = '', running = ''] = (
      await d(['inspect', '--format', '{{.Id}} {{.Image}} {{.State.Running}}', name])
    ).split(' ')
    return { id, image, running: running === 'true' }
  }
  const diagnostics = async () =>
    [
      await d(['ps', '-a']).catch(() => ''),
      await dockerCli(bed, ['logs', '--tail', '60', name], { host: iso.host }).then(
        (r) => r.stdout + r.stderr,
      ),
    ].join('\n')

  /** `docker run`/`create` arguments of the watchtower container, as a user would write them. */
  const containerArgs = (containerName: string) => [
    '--name',
    containerName,
    '--network',
    net,
    '-p',
    `${port}:8080`,
    '--restart',
    'unless-stopped',
    '--label',
    `com.centurylinklabs.watchtower.scope=${name}`,
    '-v',
    `${iso.socketPath}:/var/run/docker.sock`,
    runRef,
    '--scope',
    name,
    '--cleanup',
    '--http-api-update',
    '--http-api-token',
    'tok',
    '--insecure-registry',
    iso.registryBridgeHost,
  ]
  const servesAlone = (id: string) =>
    waitFor(async () => {
      const now = await names()
      if (now.length !== 1 || now[0] !== name) return undefined
      const s = await state()
      if (s.id !== id || !s.running || (await inNamespace(iso, port, '/v1/health')) !== 200) return undefined
      return s
    }, 90_000)

  beforeAll(async () => {
    iso = await start(bed)
    // Pushed through the host's registry, pulled by the engine and checked by watchtower through
    // the same storage at the namespace's bridge gateway (reachable from the container's network).
    pushRef = `${bed.registries.open.host}/${name}:latest`
    runRef = `${iso.registryBridgeHost}/${name}:latest`
    await d(['network', 'create', net])
  })
  afterAll(async () => {
    const left = await names().catch(() => [])
    if (left.length) await dockerCli(bed, ['rm', '-f', ...left], { host: iso.host })
    await dockerCli(bed, ['network', 'rm', net], { host: iso.host })
    const ids = await imagesOf(d(['images', '--format', '{{.ID}} {{.Repository}}']), name)
    if (ids.length) await dockerCli(bed, ['rmi', '-f', ...ids], { host: iso.host })
  })

  it('updates itself: one watchtower left, on the new image, its port answers, no helper or old container', async () => {
    await release(release1)
    await d(['run', '-d', ...containerArgs(name)])
    expect((await state()).image).toBe(release1)
    expect(
      await waitFor(
        async () => ((await inNamespace(iso, port, '/v1/health')) === 200 ? true : undefined),
        60_000,
      ),
      await diagnostics(),
    ).toBe(true)

    await release(release2)
    expect(await inNamespace(iso, port, '/v1/update', true)).toBe(200)
    const settled = await waitFor(async () => {
      const now = await names()
      if (now.length !== 1 || now[0] !== name) return undefined
      const s = await state()
      if (s.image !== release2 || !s.running || (await inNamespace(iso, port, '/v1/health')) !== 200)
        return undefined
      return s
    }, 150_000)
    expect(settled, await diagnostics()).toBeDefined()
    // The new instance passed the health gate through its real HEALTHCHECK (the daemon's heartbeat).
    expect(await d(['inspect', '--format', '{{.State.Health.Status}}', name])).toBe('healthy')
    expect(await d(['exec', name, '/watchtower', '--health-check'])).toBe('watchtower: healthy')
    // --cleanup: the old image is gone from the engine once the old container is.
    expect((await dockerCli(bed, ['image', 'inspect', release1], { host: iso.host })).code).not.toBe(0)
    const inspected = JSON.parse(await d(['inspect', name]))[0]
    expect(Object.keys(inspected.NetworkSettings.Networks)).toEqual([net])
    expect(inspected.HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '', HostPort: String(port) }],
    })
  })

  it('a new image that fails its health check leaves the old one running', async () => {
    const before = await state()
    expect(before.image).toBe(release2)
    // release 3: release 2 with a health check that always fails
    const sick = `${S}-build:sick-${kind}`
    const dockerfile = `FROM ${release2}\nLABEL wt.e2e.sick=${name}\nHEALTHCHECK --interval=2s --timeout=2s --retries=1 CMD ["/usr/local/bin/node", "-e", "process.exit(1)"]\n`
    await dockerCli(bed, ['build', '-q', '-t', sick, '-'], {
      input: dockerfile,
      env: { DOCKER_BUILDKIT: '0' },
      reject: true,
    })
    const release3 = await docker(['image', 'inspect', '--format', '{{.Id}}', sick])
    await release(release3)
    const since = Math.floor(Date.now() / 1000) - 1
    expect(await inNamespace(iso, port, '/v1/update', true)).toBe(200)
    const settled = await waitFor(async () => {
      const now = await names()
      if (now.length !== 1 || now[0] !== name) return undefined
      const s = await state()
      if (s.id !== before.id || !s.running || (await inNamespace(iso, port, '/v1/health')) !== 200)
        return undefined
      // the attempt happened: a container of release 3 turned unhealthy and was destroyed
      const events = await d([
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.floor(Date.now() / 1000)),
        '--filter',
        `label=wt.e2e.sick=${name}`,
        '--format',
        '{{.Action}}',
      ])
      return events.includes('destroy') && events.includes('health_status: unhealthy') ? s : undefined
    }, 150_000)
    expect(settled, await diagnostics()).toBeDefined()
    expect((await state()).image).toBe(release2)
  })

  it('a crash in the middle is settled by the next start, whichever instance it is', async () => {
    const old = await state()
    const aside = `${name}.wt-old.${old.id.slice(0, 12)}.r`
    // 1. the instance died right after renaming itself aside and creating the new container;
    //    it is started again (restart policy, or by hand): it removes the new one, takes its name back
    await d(['rename', name, aside])
    const created = await d(['create', ...containerArgs(name)])
    await d(['restart', '-t', '10', aside])
    expect(await servesAlone(old.id), await diagnostics()).toBeDefined()
    expect((await dockerCli(bed, ['inspect', created], { host: iso.host })).code).not.toBe(0)
    // 2. the helper died after stopping the old instance, before starting the new one; the new one
    //    is started (by hand): it removes the old one
    await d(['rename', name, aside])
    await d(['stop', '-t', '10', aside])
    const fresh = await d(['create', ...containerArgs(name)])
    await d(['start', name])
    expect(await servesAlone(fresh), await diagnostics()).toBeDefined()
    expect((await dockerCli(bed, ['inspect', old.id], { host: iso.host })).code).not.toBe(0)
  })
})
