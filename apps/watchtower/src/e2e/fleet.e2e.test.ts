import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  dockerCli,
  type IsolatedEngine,
  isolatedEngine,
  pushImage,
  registryRequests,
  sshEngine,
  tokenLog,
} from '@watchtower-ts/testbed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bed, cleanupPrefix, docker, imageOf, uniqueName, watchtower } from '../../test/e2e-bed.ts'

// One watchtower, two real engines (the bed's engine and the isolated one in its own network
// namespace): one pass, one registry session for both.

const P = uniqueName('wt-fleet')
let iso: IsolatedEngine
const onIso = (args: readonly string[]) =>
  dockerCli(bed, args, { host: iso.host, reject: true }).then((r) => r.stdout.trim())
const isoImageOf = (name: string) => onIso(['inspect', '--format', '{{.Image}}', name])

beforeAll(async () => {
  iso = await isolatedEngine(bed)
})
afterAll(async () => {
  await cleanupPrefix(P)
  if (!iso) return
  const names = (await onIso(['ps', '-a', '--format', '{{.Names}}']).catch(() => ''))
    .split('\n')
    .filter((n) => n.startsWith(P))
  if (names.length) await dockerCli(bed, ['rm', '-f', ...names], { host: iso.host })
  const refs = (await onIso(['images', '--format', '{{.Repository}}:{{.Tag}}']).catch(() => ''))
    .split('\n')
    .filter((r) => r.includes(P))
  if (refs.length) await dockerCli(bed, ['rmi', '-f', ...refs], { host: iso.host })
})

/** Watchtower's own registry requests (not the engines' pulls) logged after `from`. */
async function ours(registry: 'open' | 'token', from: number) {
  return (await registryRequests(bed, registry))
    .slice(from)
    .filter((r) => r.userAgent.startsWith('watchtower-ts'))
}

describe('one watchtower over two real engines', () => {
  it('--run-once updates stale containers on both; one ping and one token per registry, one HEAD per distinct image', async () => {
    // a and b on both engines (open registry), c on the bed's engine only (token registry)
    const a1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository: `${P}-a`, tag: 'latest' })
    const b1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository: `${P}-b`, tag: 'latest' })
    const c1 = await pushImage(bed, {
      registry: 'token',
      variant: 'v1',
      repository: `alice/${P}-c`,
      tag: 'latest',
    })
    for (const [name, ref] of [
      [`${P}-m-a`, a1.ref],
      [`${P}-m-b`, b1.ref],
      [`${P}-m-c`, c1.ref],
    ] as const)
      await docker(['run', '-d', '--network', 'none', '--name', name, ref])
    // the isolated engine pulls the same references from the registry in its namespace (same storage)
    for (const [name, ref] of [
      [`${P}-i-a`, a1.ref],
      [`${P}-i-a2`, a1.ref],
      [`${P}-i-b`, b1.ref],
    ] as const)
      await onIso(['run', '-d', '--network', 'none', '--name', name, ref])
    const before = { m: await imageOf(`${P}-m-a`), i: await isoImageOf(`${P}-i-a`) }
    await pushImage(bed, { registry: 'open', variant: 'v2', repository: `${P}-a`, tag: 'latest' })
    await pushImage(bed, { registry: 'open', variant: 'v2', repository: `${P}-b`, tag: 'latest' })
    await pushImage(bed, { registry: 'token', variant: 'v2', repository: `alice/${P}-c`, tag: 'latest' })
    // leave the bed's engine its fresh tags out of the picture: the pass must pull them itself
    await docker(['rmi', a1.ref, b1.ref, c1.ref]).catch(() => '')

    const logFrom = {
      open: (await registryRequests(bed, 'open')).length,
      token: (await registryRequests(bed, 'token')).length,
    }
    const tokensBefore = (await tokenLog(bed)).length
    const r = await watchtower([
      '--run-once',
      '--porcelain',
      'v1',
      '--host',
      bed.docker.host,
      '--host',
      iso.host,
      `${P}-.*`,
    ])
    expect(r.stderr).not.toContain(bed.users.alice.password)
    expect(r.code).toBe(0)
    // porcelain names the engine of every line
    const lines = r.stdout.trim().split('\n').sort()
    expect(lines).toEqual(
      [
        `${bed.docker.host}: ${P}-m-a (${a1.ref}): Updated`,
        `${bed.docker.host}: ${P}-m-b (${b1.ref}): Updated`,
        `${bed.docker.host}: ${P}-m-c (${c1.ref}): Updated`,
        `${iso.host}: ${P}-i-a (${a1.ref}): Updated`,
        `${iso.host}: ${P}-i-a2 (${a1.ref}): Updated`,
        `${iso.host}: ${P}-i-b (${b1.ref}): Updated`,
      ].sort(),
    )
    expect(await imageOf(`${P}-m-a`)).not.toBe(before.m)
    expect(await isoImageOf(`${P}-i-a`)).not.toBe(before.i)
    expect(await isoImageOf(`${P}-i-a2`)).toBe(await isoImageOf(`${P}-i-a`))

    const open = await ours('open', logFrom.open)
    const token = await ours('token', logFrom.token)
    const count = (list: typeof open, method: string, path: RegExp) =>
      list.filter((x) => x.method === method && path.test(x.path)).length
    expect(count(open, 'GET', /^\/v2\/$/)).toBe(1)
    expect(count(open, 'HEAD', new RegExp(`/v2/${P}-a/manifests/latest`))).toBe(1)
    expect(count(open, 'HEAD', new RegExp(`/v2/${P}-b/manifests/latest`))).toBe(1)
    expect(count(token, 'GET', /^\/v2\/$/)).toBe(1)
    expect(count(token, 'HEAD', new RegExp(`/v2/alice/${P}-c/manifests/latest`))).toBe(1)
    // the engine's pull of c asks its own token (user agent docker/…): only watchtower's are counted
    const tokens = (await tokenLog(bed))
      .slice(tokensBefore)
      .filter((t) => t.userAgent.startsWith('watchtower-ts') && t.scopes.some((s) => s.includes(P)))
    expect(tokens).toHaveLength(1)
  })

  it('an engine that stops mid-pass is reported by name; the other engine completes its updates', async () => {
    const a1 = await pushImage(bed, { registry: 'open', variant: 'v1', repository: `${P}-s`, tag: 'latest' })
    await docker(['run', '-d', '--network', 'none', '--name', `${P}-sm`, a1.ref])
    // `sleep` as PID 1 ignores SIGTERM: the isolated engine's swap waits in the stop (20 s) ...
    await onIso(['run', '-d', '--network', 'none', '--name', `${P}-si`, a1.ref, 'sleep', '3600'])
    await pushImage(bed, { registry: 'open', variant: 'v2', repository: `${P}-s`, tag: 'latest' })
    const before = await imageOf(`${P}-sm`)
    const pass = watchtower([
      '--run-once',
      '--stop-timeout',
      '20s',
      '--host',
      bed.docker.host,
      '--host',
      iso.host,
      `${P}-s.*`,
    ])
    // ... and is stopped there: its dockerd goes away mid-pass
    const pidFile = join(bed.dir, 'isolated', 'dockerd.pid')
    const deadline = Date.now() + 60_000
    for (;;) {
      const names = await onIso(['ps', '-a', '--format', '{{.Names}}']).catch(() => '')
      if (names.includes('.wt-old.')) break
      if (Date.now() > deadline) throw new Error(`the isolated engine's swap never started: ${names}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL')
    try {
      const r = await pass
      expect(r.code).toBe(1)
      expect(await imageOf(`${P}-sm`)).not.toBe(before)
      const out = r.stdout + r.stderr
      // the failure names the engine
      const errors = out.split('\n').filter((l) => l.includes('level=error'))
      expect(errors.length).toBeGreaterThan(0)
      for (const line of errors) expect(line).toContain(`host=${iso.host}`)
      // and says it went away: a request in flight when dockerd dies is reset, one sent after is
      // refused (which of them the report quotes depends on the moment of the kill)
      expect(errors.join('\n')).toMatch(/ECONNREFUSED|ECONNRESET/)
      // ... once ("read ECONNRESET: read ECONNRESET" is gone)
      expect(errors.join('\n')).not.toMatch(/((?:read|connect) ECONN\w+[^:]*): \1/)
    } finally {
      // the next pass finds the engine again (the bed restarts it), also for the tests after this one
      iso = await isolatedEngine(bed)
    }
  })
})

/** A container on each engine from one stale tag; returns the check of both after a pass. */
async function staleOnBoth(tag: string) {
  const v1 = await pushImage(bed, {
    registry: 'open',
    variant: 'v1',
    repository: `${P}-${tag}`,
    tag: 'latest',
  })
  await docker(['run', '-d', '--network', 'none', '--name', `${P}-${tag}-m`, v1.ref])
  await onIso(['run', '-d', '--network', 'none', '--name', `${P}-${tag}-i`, v1.ref])
  const before = { m: await imageOf(`${P}-${tag}-m`), i: await isoImageOf(`${P}-${tag}-i`) }
  await pushImage(bed, { registry: 'open', variant: 'v2', repository: `${P}-${tag}`, tag: 'latest' })
  return {
    ref: v1.ref,
    async updated() {
      return {
        m: (await imageOf(`${P}-${tag}-m`)) !== before.m,
        i: (await isoImageOf(`${P}-${tag}-i`)) !== before.i,
      }
    },
  }
}

describe('the HTTP API and status events over a fleet', () => {
  it("/v1/update's progress events and /v1/containers name each container's engine", async () => {
    const TOKEN = 'e2e-fleet-token-51d2'
    const s = await staleOnBoth('api')
    let port = 0
    let stop: ((signal: string) => void) | undefined
    const done = watchtower(
      [
        '--http-api-update',
        '--http-api-token',
        TOKEN,
        '--http-api-port',
        '0',
        '--http-api-host',
        '127.0.0.1',
        '--host',
        bed.docker.host,
        '--host',
        iso.host,
        `${P}-api-.*`,
      ],
      {
        onListening: (p) => {
          port = p
        },
        onShutdown: (h) => {
          stop = h
          return () => {}
        },
      },
    )
    try {
      while (!port) await new Promise((r) => setTimeout(r, 20))
      const base = `http://127.0.0.1:${port}`
      const auth = { authorization: `Bearer ${TOKEN}` }
      // every status event of the pass, as the status page reads them
      const events = new AbortController()
      const stream = await fetch(`${base}/v1/events`, { headers: auth, signal: events.signal })
      let text = ''
      const reading = (async () => {
        const decoder = new TextDecoder()
        for await (const chunk of stream.body!) text += decoder.decode(chunk as Uint8Array, { stream: true })
      })().catch(() => {})
      const r = await fetch(`${base}/v1/update`, { method: 'POST', headers: auth })
      expect(r.status).toBe(200)
      expect(await s.updated()).toEqual({ m: true, i: true })
      const until = Date.now() + 10_000
      while (!text.includes('event: session') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50))
      events.abort()
      await reading
      const all = text
        .split('\n\n')
        .filter((b) => b.includes('\ndata: '))
        .map(
          (b) =>
            JSON.parse(b.slice(b.indexOf('\ndata: ') + 7)) as { type: string; host?: string; name?: string },
        )
      const progress = all.filter((e) => e.type === 'progress')
      expect(progress.filter((e) => e.name === `${P}-api-m`).length).toBeGreaterThan(0)
      expect(progress.filter((e) => e.name === `${P}-api-i`).length).toBeGreaterThan(0)
      for (const e of progress) expect(e.host).toBe(e.name === `${P}-api-i` ? iso.host : bed.docker.host)
      const containers = (await (await fetch(`${base}/v1/containers`, { headers: auth })).json()) as {
        containers: { name: string; host: string; state: string }[]
      }
      expect(containers.containers.map((c) => [c.name, c.host, c.state]).sort()).toEqual([
        [`${P}-api-i`, iso.host, 'up-to-date'],
        [`${P}-api-m`, bed.docker.host, 'up-to-date'],
      ])
    } finally {
      stop?.('SIGTERM')
      await done
    }
  })
})

describe('engines reached over ssh:// and tcp:// with TLS client certificates', () => {
  it('ssh://: the isolated engine through a real sshd (key and known_hosts from HOME/.ssh), beside the local one', async () => {
    const ssh = await sshEngine(bed, iso.host)
    const s = await staleOnBoth('ssh')
    const r = await watchtower(
      ['--run-once', '--porcelain', 'v1', '--host', bed.docker.host, '--host', ssh.host, `${P}-ssh-.*`],
      {
        env: {
          PATH: process.env.PATH,
          DOCKER_CONFIG: bed.dockerConfigDir,
          HOME: ssh.home,
        },
      },
    )
    expect(r.stdout.trim().split('\n').sort()).toEqual(
      [
        `${bed.docker.host}: ${P}-ssh-m (${s.ref}): Updated`,
        `${ssh.host}: ${P}-ssh-i (${s.ref}): Updated`,
      ].sort(),
    )
    expect(r.code).toBe(0)
    expect(await s.updated()).toEqual({ m: true, i: true })
    // the key never shows
    const key = await readFile(join(ssh.home, '.ssh', 'id_ed25519'), 'utf8')
    expect(r.stdout + r.stderr).not.toContain(key.split('\n')[1]!)
    // sshd saw the bed's key log in (the engine was really reached over ssh)
    expect(await readFile(ssh.logFile, 'utf8')).toMatch(/Accepted publickey for root from 127\.0\.0\.1/)
  })

  it("tcp:// with --tlsverify against dockerd's own TLS listener: a certificate folder per engine inside --cert-path; an expired client certificate is refused by dockerd", async () => {
    // iso.tlsHost: the isolated dockerd's own --tlsverify port, brought to loopback by byte forwarders
    const read = (p: string) => readFile(p, 'utf8')
    const host = iso.tlsHost
    const certs = await mkdtemp(join(tmpdir(), 'wt-fleet-certs-'))
    try {
      const own = join(certs, host.replace('tcp://', ''))
      await mkdir(own)
      await writeFile(join(own, 'ca.pem'), await read(bed.tls.caCert))
      await writeFile(join(own, 'cert.pem'), await read(bed.tls.clientCert))
      await writeFile(join(own, 'key.pem'), await read(bed.tls.clientKey))
      const s = await staleOnBoth('tls')
      const r = await watchtower([
        '--run-once',
        '--porcelain',
        'v1',
        '--tlsverify',
        '--cert-path',
        certs,
        '--host',
        bed.docker.host,
        '--host',
        host,
        `${P}-tls-.*`,
      ])
      expect(r.stdout.trim().split('\n').sort()).toEqual(
        [
          `${bed.docker.host}: ${P}-tls-m (${s.ref}): Updated`,
          `${host}: ${P}-tls-i (${s.ref}): Updated`,
        ].sort(),
      )
      expect(r.code).toBe(0)
      expect(await s.updated()).toEqual({ m: true, i: true })
      // an expired client certificate: dockerd's handshake refuses it (a TLS alert), the engine is
      // reported by name and the local engine still updates
      const other = await mkdtemp(join(tmpdir(), 'wt-fleet-expired-'))
      try {
        await writeFile(join(other, 'ca.pem'), await read(bed.tls.caCert))
        await writeFile(join(other, 'cert.pem'), await read(bed.tls.expiredCert))
        await writeFile(join(other, 'key.pem'), await read(bed.tls.expiredKey))
        const again = await staleOnBoth('tlsx')
        const bad = await watchtower([
          '--run-once',
          '--tlsverify',
          '--cert-path',
          other,
          '--host',
          bed.docker.host,
          '--host',
          host,
          `${P}-tlsx-.*`,
        ])
        expect(bad.code).toBe(1)
        const refused = (bad.stdout + bad.stderr)
          .split('\n')
          .filter((l) => l.includes(`level=error msg="Engine ${host} could not be reached`))
        expect(refused).toHaveLength(1)
        expect(refused[0]).toMatch(/alert bad certificate/)
        expect(await again.updated()).toEqual({ m: true, i: false })
      } finally {
        await rm(other, { recursive: true, force: true })
      }
    } finally {
      await rm(certs, { recursive: true, force: true })
    }
  })

  it('docker CLI contexts made by `docker context create`: one over TLS to dockerd, one over ssh://, named by --host; `default` is DOCKER_HOST', async () => {
    // wt-tls: the isolated engine's own TLS listener; wt-ssh: the bed's engine through a real sshd
    const ssh = await sshEngine(bed, bed.docker.host)
    const config = await mkdtemp(join(tmpdir(), 'wt-fleet-contexts-'))
    try {
      const tls = `ca=${bed.tls.caCert},cert=${bed.tls.clientCert},key=${bed.tls.clientKey}`
      for (const [name, docker] of [
        ['wt-tls', `host=${iso.tlsHost},${tls}`],
        ['wt-ssh', `host=${ssh.host}`],
      ] as const)
        await dockerCli(bed, ['context', 'create', name, '--docker', docker], {
          dockerConfig: config,
          reject: true,
        })
      const s = await staleOnBoth('ctx')
      const env = { PATH: process.env.PATH, DOCKER_CONFIG: config, HOME: ssh.home }
      const r = await watchtower(
        ['--run-once', '--porcelain', 'v1', '--host', 'wt-tls', '--host', 'wt-ssh', `${P}-ctx-.*`],
        { env },
      )
      expect(r.stdout.trim().split('\n').sort()).toEqual(
        [`wt-ssh: ${P}-ctx-m (${s.ref}): Updated`, `wt-tls: ${P}-ctx-i (${s.ref}): Updated`].sort(),
      )
      expect(r.code).toBe(0)
      expect(await s.updated()).toEqual({ m: true, i: true })
      expect(await readFile(ssh.logFile, 'utf8')).toMatch(/Accepted publickey for root from 127\.0\.0\.1/)
      // `default`, the docker CLI's built-in context: DOCKER_HOST (here the bed's engine)
      const dflt = await watchtower(
        [
          '--run-once',
          '--monitor-only',
          '--porcelain',
          'v1',
          '--host',
          'default',
          '--host',
          'wt-tls',
          `${P}-ctx-.*`,
        ],
        { env: { ...env, DOCKER_HOST: bed.docker.host } },
      )
      expect(dflt.stdout.trim().split('\n').sort()).toEqual(
        [`default: ${P}-ctx-m (${s.ref}): Fresh`, `wt-tls: ${P}-ctx-i (${s.ref}): Fresh`].sort(),
      )
      // a context that skips TLS verification is refused by name before any pass
      await dockerCli(
        bed,
        ['context', 'create', 'wt-skip', '--docker', `host=${iso.tlsHost},skip-tls-verify=true`],
        { dockerConfig: config, reject: true },
      )
      const skip = await watchtower(['--run-once', '--host', 'wt-skip', '--host', 'wt-ssh', `${P}-ctx-.*`], {
        env,
      })
      expect(skip.code).not.toBe(0)
      expect(skip.stdout + skip.stderr).toContain('docker context wt-skip skips TLS verification')
    } finally {
      await rm(config, { recursive: true, force: true })
    }
  })
})
