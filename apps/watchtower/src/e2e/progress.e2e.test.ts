import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dockerCli } from '@watchtower-ts/testbed'
import { afterAll, describe, expect, it } from 'vitest'
import type { Captured } from '../../test/cli-deps.ts'
import {
  bed,
  build,
  cleanupPrefix,
  docker,
  imageExists,
  publish,
  run,
  uniqueName,
  watchtower,
} from '../../test/e2e-bed.ts'

// Live progress and "nothing skipped in silence", against the real engine and registries.
const P = uniqueName('wt-progress-e2e')
const temps: string[] = []
afterAll(async () => {
  await cleanupPrefix(P)
  for (const d of temps) rmSync(d, { recursive: true, force: true })
})

/** stderr that remembers when each line was written. */
function timedStream(): Captured & { lines: { at: number; line: string }[] } {
  const s = {
    text: '',
    lines: [] as { at: number; line: string }[],
    write(chunk: string) {
      s.text += chunk
      for (const line of chunk.split('\n').filter(Boolean)) s.lines.push({ at: Date.now(), line })
      return true
    },
  }
  return s
}

interface EngineEvent {
  Action: string
  id: string
  name: string
  ms: number
}

/** The engine's own container events between two instants (`docker events --since --until`). */
async function engineEvents(sinceMs: number, untilMs: number): Promise<EngineEvent[]> {
  const r = await dockerCli(
    bed,
    [
      'events',
      '--since',
      (sinceMs / 1000).toFixed(3),
      '--until',
      (untilMs / 1000).toFixed(3),
      '--filter',
      'type=container',
      '--format',
      '{{json .}}',
    ],
    { reject: true },
  )
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          Action: string
          id: string
          Actor: { Attributes: { name: string } }
          timeNano: number
        },
    )
    .map((e) => ({
      Action: e.Action.split(':')[0]!,
      id: e.id,
      name: e.Actor.Attributes.name,
      ms: Math.floor(e.timeNano / 1e6),
    }))
}

interface JsonLine {
  level: string
  time: string
  msg: string
  event?: string
  phase?: string
  container?: string
  durationMs?: number
  [k: string]: unknown
}

describe('live progress', () => {
  it('--run-once over several stale containers logs each step as it happens, in the engine events order', async () => {
    const names = [0, 1, 2].map((i) => `${P}-live-${i}`)
    const oldIds: Record<string, string> = {}
    const refs: Record<string, string> = {}
    const oldImages: Record<string, string> = {}
    for (const name of names) {
      const v1 = await publish('open', name, 'v1')
      await run(name, v1.ref)
      oldIds[name] = await docker(['inspect', '--format', '{{.Id}}', name])
      refs[name] = v1.ref
      oldImages[name] = v1.id
      await publish('open', name, 'v2')
    }
    const stderr = timedStream()
    const since = Date.now() - 1000
    const r = await watchtower(
      ['--run-once', '--cleanup', '--log-format', 'json', '--porcelain', 'v1', ...names],
      {
        stderr,
      },
    )
    const until = Date.now() + 1000
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n').sort()).toEqual(names.map((n) => `${n} (${refs[n]}): Updated`))

    const lines = stderr.lines.map(({ at, line }) => ({ at, ...(JSON.parse(line) as JsonLine) }))
    const events = await engineEvents(since, until)
    const at = (l: JsonLine) => Date.parse(l.time)
    const find = (name: string, event: string, phase?: string) => {
      const l = lines.find((x) => x.container === name && x.event === event && x.phase === phase)
      if (!l) throw new Error(`no ${event}:${phase} line for ${name}:\n${stderr.text}`)
      return l
    }
    const engine = (action: string, id: string) => {
      const e = events.find((x) => x.Action === action && x.id === id)
      if (!e) throw new Error(`no engine ${action} event for ${id}: ${JSON.stringify(events)}`)
      return e
    }
    for (const name of names) {
      const oldId = oldIds[name]!
      const found = find(name, 'found-stale')
      const pulling = lines.find(
        (x) => x.event === 'pull' && x.phase === 'begin' && x.msg === `Pulling ${refs[name]}`,
      )
      const stopping = find(name, 'stop', 'begin')
      const stopped = find(name, 'stop', 'end')
      const creating = find(name, 'create', 'begin')
      const created = find(name, 'create', 'end')
      const started = find(name, 'start', 'end')
      // upstream's wording, at info
      expect(found).toMatchObject({
        level: 'info',
        msg: expect.stringMatching(new RegExp(`^Found new ${refs[name]} image \\([0-9a-f]{12}\\)$`)),
      })
      expect(pulling?.level).toBe('info')
      expect(stopping).toMatchObject({
        level: 'info',
        msg: `Stopping /${name} (${oldId.slice(0, 12)}) with SIGTERM`,
      })
      expect(creating).toMatchObject({ level: 'info', msg: `Creating /${name}` })
      expect(stopped).toMatchObject({ level: 'info', msg: expect.stringMatching(/ in \d+(ms|\.\ds)$/) })
      expect(started).toMatchObject({ level: 'info', msg: expect.stringMatching(/ in \d+(ms|\.\ds)$/) })
      expect(created).toMatchObject({ level: 'info', msg: expect.stringMatching(/ in \d+(ms|\.\ds)$/) })
      expect(stopped.durationMs).toBeGreaterThanOrEqual(0)
      // the lines come in the order of the steps ...
      const order = [found, pulling!, stopping, stopped, creating, created, started].map((l) =>
        lines.indexOf(l as never),
      )
      expect(order).toEqual([...order].sort((a, b) => a - b))
      // ... and around the engine's own events: "Stopping" before the kill, "Stopped" after the die,
      // "Creating" before the create, "Created" between it and the start, "Started" after the start
      const newId =
        events.find((e) => e.Action === 'create' && e.name === name && e.id !== oldId)?.id ?? 'none'
      expect(at(stopping)).toBeLessThanOrEqual(engine('kill', oldId).ms)
      expect(at(stopped)).toBeGreaterThanOrEqual(engine('die', oldId).ms)
      expect(at(creating)).toBeLessThanOrEqual(engine('create', newId).ms)
      expect(at(created)).toBeGreaterThanOrEqual(engine('create', newId).ms)
      expect(at(created)).toBeLessThanOrEqual(engine('start', newId).ms)
      expect(at(started)).toBeGreaterThanOrEqual(engine('start', newId).ms)
      expect(started.msg).toContain(`(${newId.slice(0, 12)})`)
      // written as it happened, not at the end of the pass
      expect(stderr.lines[lines.indexOf(stopping as never)]!.at).toBeLessThanOrEqual(engine('kill', oldId).ms)
    }
    // the pass stops every container (dependants first) before it creates any
    const kinds = lines
      .filter((l) => l.event === 'stop' || l.event === 'create')
      .map((l) => `${l.event}:${l.phase}`)
    expect(kinds.indexOf('create:begin')).toBeGreaterThan(kinds.lastIndexOf('stop:end'))
    // --cleanup: upstream's "Removing image" for each old image, after the swaps
    const removed = lines.filter((l) => l.event === 'remove-image').map((l) => l.msg)
    expect(removed.sort()).toEqual(names.map((n) => `Removing image ${oldImages[n]!.slice(7, 19)}`).sort())
    for (const n of names) expect(await imageExists(oldImages[n]!)).toBe(false)
    const done = lines.find((l) => l.msg === 'Session done')
    expect(done).toMatchObject({ level: 'info', scanned: 3, updated: 3, failed: 0 })
    expect(lines.indexOf(done as never)).toBeGreaterThan(lines.findLastIndex((l) => l.event === 'start'))
  })
})

describe('nothing skipped in silence', () => {
  for (const registry of ['basic', 'token'] as const) {
    it(`a wrong password for the ${registry} registry: warned at the default level with the registry's answer and the credcheck hint`, async () => {
      const name = `${P}-deny-${registry}`
      const v1 = await publish(registry, `alice/${name}`, 'v1') // pushed as alice (the bed's DOCKER_CONFIG)
      await run(name, v1.ref)
      const host = bed.registries[registry].host
      const wrong = 'Wr0ng-pa55word-for-alice'
      const auth = Buffer.from(`alice:${wrong}`).toString('base64')
      const dir = mkdtempSync(join(tmpdir(), `${P}-cfg-`))
      temps.push(dir)
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }))
      const r = await watchtower(['--run-once', '--porcelain', 'v1', name], {
        env: { PATH: process.env.PATH, DOCKER_HOST: bed.docker.host, DOCKER_CONFIG: dir },
      })
      const warn = r.stderr
        .split('\n')
        .find((l) => l.includes('level=warn') && l.includes('Unable to update container'))
      expect(warn, r.stderr).toBeDefined()
      expect(warn).toContain(`/${name}`)
      expect(warn).toMatch(/401|unauthorized|UNAUTHORIZED|authentication/i)
      expect(warn).toContain(`\`credcheck ${v1.ref}\` shows why`)
      expect(warn).toContain('Proceeding to next')
      // once per pass, counted as failed; --porcelain and the exit code say so too
      expect(r.stderr.split('\n').filter((l) => l.includes('Unable to update container'))).toHaveLength(1)
      expect(r.stderr).toMatch(/msg="Session done" scanned=1 updated=0 failed=1/)
      expect(r.stdout).toMatch(
        new RegExp(
          `^${name} \\(${v1.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): Failed Error: .*credcheck ${v1.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      )
      expect(r.code).toBe(1)
      // no secret, in any form
      for (const secret of [
        wrong,
        auth,
        bed.users.alice.password,
        Buffer.from(`alice:${bed.users.alice.password}`).toString('base64'),
      ]) {
        expect(r.stderr).not.toContain(secret)
        expect(r.stdout).not.toContain(secret)
      }
      // the container was left alone
      expect(await docker(['inspect', '--format', '{{.State.Running}}', name])).toBe('true')
    })
  }

  it('notifications carry it: the warning line (legacy mode) and a Failed entry (report mode, default template)', async () => {
    const name = `${P}-deny-notify`
    const v1 = await publish('basic', `alice/${name}`, 'v1')
    await run(name, v1.ref)
    const dir = mkdtempSync(join(tmpdir(), `${P}-cfg-`))
    temps.push(dir)
    const auth = Buffer.from('alice:not-the-password').toString('base64')
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [bed.registries.basic.host]: { auth } } }),
    )
    const env = { PATH: process.env.PATH, DOCKER_HOST: bed.docker.host, DOCKER_CONFIG: dir }
    const notify = ['--notification-url', 'logger://', '--notification-log-stdout']
    const legacy = await watchtower(['--run-once', '--no-startup-message', ...notify, name], { env })
    expect(legacy.stdout).toMatch(
      new RegExp(`Unable to update container /${name}: .*\\(401\\).*Proceeding to next\\. \`credcheck `),
    )
    const report = await watchtower(
      ['--run-once', '--no-startup-message', ...notify, '--notification-report', name],
      { env },
    )
    expect(report.stdout).toContain('1 Scanned, 0 Updated, 1 Failed')
    expect(report.stdout).toMatch(
      new RegExp(
        `- ${name} \\(.*\\): Failed: .*\\(401\\).*; \`credcheck ${v1.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` shows why`,
      ),
    )
    for (const out of [legacy.stdout, report.stdout, legacy.stderr, report.stderr]) {
      expect(out).not.toContain('not-the-password')
      expect(out).not.toContain(auth)
    }
  })

  it('an expired registry certificate: warned with the TLS cause and the hint, counted as failed', async () => {
    const name = `${P}-expired`
    const pushed = await publish('open', name, 'v1')
    // the same storage served with an expired certificate (the engine does not verify loopback TLS)
    const ref = pushed.ref.replace(bed.registries.open.host, bed.registries.expired.host)
    await docker(['pull', ref])
    await run(name, ref)
    const r = await watchtower(['--run-once', name])
    const warn = r.stderr.split('\n').filter((l) => l.includes('Unable to update container'))
    expect(warn, r.stderr).toHaveLength(1)
    expect(warn[0]).toContain('level=warn')
    expect(warn[0]).toMatch(/expired/i)
    expect(warn[0]).toContain(`\`credcheck ${ref}\` shows why`)
    expect(r.stderr).toMatch(/msg="Session done" scanned=1 updated=0 failed=1/)
    expect(r.code).toBe(1)
  })

  it('a registry that is down: warned with the network cause and the hint, counted as failed', async () => {
    // A loopback port forwarding to the open registry: the engine pulls through it, then it closes.
    const [openHost, openPort] = bed.registries.open.host.split(':') as [string, string]
    const sockets = new Set<Socket>()
    const relay = createServer((client) => {
      const upstream = connect(Number(openPort), openHost)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('error', () => s.destroy())
        s.on('close', () => sockets.delete(s))
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
    const port = (relay.address() as AddressInfo).port
    const name = `${P}-down`
    const pushed = await publish('open', name, 'v1')
    const ref = pushed.ref.replace(bed.registries.open.host, `127.0.0.1:${port}`)
    try {
      await docker(['pull', ref])
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => relay.close(() => r()))
    }
    await run(name, ref)
    const r = await watchtower(['--run-once', name])
    const warn = r.stderr.split('\n').filter((l) => l.includes('Unable to update container'))
    expect(warn, r.stderr).toHaveLength(1)
    expect(warn[0]).toContain('level=warn')
    expect(warn[0]).toMatch(/network error \(ECONNREFUSED/)
    expect(warn[0]).toContain(`\`credcheck ${ref}\` shows why`)
    expect(r.stderr).toMatch(/msg="Session done" scanned=1 updated=0 failed=1/)
    expect(r.code).toBe(1)
  })

  it('a deliberate skip (a local-only image) is an info line and exits 0', async () => {
    const name = `${P}-local`
    const ref = `${P}-local-only:v1`
    await build(ref, 'v1')
    await run(name, ref)
    const r = await watchtower(['--run-once', '--porcelain', 'v1', name])
    expect(r.stderr).toMatch(new RegExp(`level=info msg="Skipped ${name}: local-only image`))
    expect(r.stderr).not.toContain('level=warn')
    expect(r.stdout).toMatch(new RegExp(`^${name} \\(${ref}\\): Skipped Error: local-only image`))
    expect(r.code).toBe(0)
  })
})
