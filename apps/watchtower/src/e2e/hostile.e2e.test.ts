/**
 * The real watchtower daemon (a child process: `node bin.js`, the bundle built from these sources)
 * against hostile inputs on loopback. Its memory is read from /proc while a webhook streams an
 * endless answer, and it must go on with its next passes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type HostileServer, hostile, hostileServer } from '@watchtower-ts/testbed'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bed, cleanupPrefix, publish, run, uniqueName } from '../../test/e2e-bed.ts'

const app = join(dirname(fileURLToPath(import.meta.url)), '../..')
const children: ChildProcess[] = []
const servers: HostileServer[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const P = uniqueName('wt-hostile')
afterAll(() => cleanupPrefix(P))

beforeAll(() => {
  // bin.js runs the bundle: make it from the sources under test
  execFileSync(process.execPath, [join(app, 'bundle.mjs')], { stdio: 'ignore' })
})

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0)
  return kb / 1024
}

function daemon(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(app, 'bin.js'), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      DOCKER_HOST: bed.docker.host,
      DOCKER_CONFIG: bed.dockerConfigDir,
      // its heartbeat (this machine may have /.dockerenv) in a folder the test removes
      WATCHTOWER_HEARTBEAT_FILE: join(tempDir(), 'heartbeat.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  child.stdout!.on('data', () => {})
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, stderr: () => stderr, exited }
}

describe('the daemon against an endless webhook (real child process, RSS from /proc)', () => {
  it('stays under 150 MB while the webhook streams for ever, and goes on with its next passes', async () => {
    const hook = await hostileServer()
    servers.push(hook)
    hook.route('/hook', hostile.endless())
    const d = daemon([
      '--interval',
      '1',
      '--log-format',
      'logfmt',
      '--no-startup-message',
      '--notifications-level',
      'info',
      '--notification-url',
      `generic+http://${hook.host}/hook`,
      uniqueName('wt-hostile-none'), // no such container: each pass is quick
    ])
    let maxRss = 0
    const deadline = Date.now() + 60_000
    const sessions = () => d.stderr().match(/msg="Session done"/g)?.length ?? 0
    const failures = () => d.stderr().match(/larger than the 65536-byte cap/g)?.length ?? 0
    while (Date.now() < deadline && d.child.exitCode === null) {
      maxRss = Math.max(maxRss, rssMb(d.child.pid!))
      if (maxRss > 150) break
      if (sessions() >= 3 && failures() >= 2) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const code = d.child.exitCode
    if (process.env.WT_SHOW_RSS) console.log(`max RSS ${maxRss.toFixed(1)} MB, ${sessions()} passes`)
    d.child.kill('SIGTERM')
    await d.exited
    expect(code).toBeNull() // still running: the endless answer did not crash it
    expect(maxRss).toBeLessThan(150)
    expect(sessions()).toBeGreaterThanOrEqual(3)
    expect(failures()).toBeGreaterThanOrEqual(2)
    expect(hook.requests.length).toBeGreaterThanOrEqual(2)
  })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wt-hostile-'))
  dirs.push(d)
  return d
}

describe('notify-upgrade in a shared, world-writable folder (real CLI)', () => {
  it('never follows a planted symlink: a new 0600 file with a random name, created exclusively', async () => {
    const shared = tempDir()
    execFileSync('chmod', ['1777', shared])
    const victim = join(tempDir(), 'victim')
    writeFileSync(victim, 'precious\n')
    // symlinks at every name a clock-based scheme would pick in the next seconds
    const now = Date.now()
    for (let t = now - 2_000; t < now + 60_000; t++)
      if (t % 7 === 0 || t < now + 20_000)
        symlinkSync(victim, join(shared, `watchtower-notifications-${t}.env`))
    const planted = readdirSync(shared).length
    const d = daemon(
      ['notify-upgrade', '--notification-url', 'smtp://ops:Sm7p-Pass-word@mail.example:25/?from=a@b&to=c@d'],
      { WATCHTOWER_NOTIFY_UPGRADE_DIR: shared },
    )
    expect(await d.exited).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    const written = readdirSync(shared).filter((f) => !lstatSync(join(shared, f)).isSymbolicLink())
    expect(readdirSync(shared)).toHaveLength(planted + 1)
    expect(written).toEqual([expect.stringMatching(/^watchtower-notifications-[0-9a-f]{16}\.env$/)])
    const st = statSync(join(shared, written[0]!))
    expect(st.mode & 0o777).toBe(0o600)
    expect(readFileSync(join(shared, written[0]!), 'utf8')).toContain(
      'smtp://ops:Sm7p-Pass-word@mail.example:25',
    )
  })
})

describe('a broken config.json at --run-once (real CLI)', () => {
  it('a truncated config.json nested 200 000 levels deep: an error naming file and position, exit 1', async () => {
    const image = await publish('open', `${P}-cfg`, 'v1')
    await run(`${P}-cfg`, image.ref)
    const dir = tempDir()
    const text = `{"auths":{"x":${'['.repeat(200_000)}`
    writeFileSync(join(dir, 'config.json'), text)
    const d = daemon(['--run-once', '--log-format', 'logfmt', `${P}-cfg`], { DOCKER_CONFIG: dir })
    const code = await d.exited
    expect(d.stderr()).toContain(
      `level=error msg="${dir}/config.json is not valid JSON: unexpected end of file at line 1 column ${text.length + 1} (position ${text.length})"`,
    )
    expect(d.stderr()).not.toContain('Maximum call stack')
    expect(code).toBe(1)
  })
})
