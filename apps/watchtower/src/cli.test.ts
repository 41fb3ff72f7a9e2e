import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { testDeps } from '../test/cli-deps.ts'
import { FLAGS, GROUP_TITLES } from './config/_flags.ts'
import { main } from './index.ts'

/** A temp folder removed when the test that made it ends. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('watchtower CLI', () => {
  it('--help lists every flag with its env var, grouped by topic', async () => {
    const deps = testDeps()
    expect(await main(['--help'], deps)).toBe(0)
    for (const title of Object.values(GROUP_TITLES)) expect(deps.stdout.text).toContain(`${title}:`)
    for (const f of FLAGS) {
      expect(deps.stdout.text).toContain(`--${f.name}`)
      if (f.env) expect(deps.stdout.text).toContain(`[${f.env}]`)
    }
    expect(deps.stdout.text).toContain('(default 10s)')
    expect(deps.stderr.text).toBe('')
  })
  it('-h works too, also after other flags', async () => {
    const deps = testDeps()
    expect(await main(['-c', '-h'], deps)).toBe(0)
    expect(deps.stdout.text).toContain('Usage:')
  })
  it('--version prints the version', async () => {
    const deps = testDeps()
    expect(await main(['--version'], deps)).toBe(0)
    expect(deps.stdout.text).toBe('watchtower 9.9.9\n')
  })
  it('an unknown flag exits 1 and names it', async () => {
    const deps = testDeps()
    expect(await main(['--bogus'], deps)).toBe(1)
    expect(deps.stderr.text).toBe('watchtower: unknown flag: --bogus\n')
  })
  it('a bad env value exits 1 and names the env var', async () => {
    const deps = testDeps({ env: { WATCHTOWER_POLL_INTERVAL: 'often' } })
    expect(await main([], deps)).toBe(1)
    expect(deps.stderr.text).toContain('WATCHTOWER_POLL_INTERVAL')
  })
  it('a schedule robfig/cron refuses exits 1, naming the env var and the field', async () => {
    const deps = testDeps({ env: { WATCHTOWER_SCHEDULE: '0 0 0 * * 7' } })
    expect(await main([], deps)).toBe(1)
    expect(deps.stderr.text).toBe(
      'watchtower: invalid schedule "0 0 0 * * 7": day-of-week field: End of range (7) above maximum (6): 7 (from env WATCHTOWER_SCHEDULE)\n',
    )
  })
  it('an unknown TZ or a schedule that never fires exits 1 before any work', async () => {
    const tz = testDeps({ env: { TZ: 'Mars/Olympus' } })
    expect(await main(['--schedule', '@daily'], tz)).toBe(1)
    expect(tz.stderr.text).toContain(
      'invalid time zone "Mars/Olympus" in env TZ (the time zone of flag --schedule)',
    )
    const never = testDeps()
    let started = false
    never.createRunner = async () => ({
      startup: async () => {
        started = true
      },
      run: async () => {
        throw new Error('not reached')
      },
    })
    expect(await main(['--schedule', '0 0 0 30 Feb ?'], never)).toBe(1)
    expect(never.stderr.text).toContain('schedule "0 0 0 30 Feb ?" never fires')
    expect(started).toBe(false)
  })
  it('--health-check exits 0 on a fresh heartbeat, 1 without one, and 1 as PID 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-hc-'))
    const file = join(dir, 'heartbeat.json')
    const now = Date.UTC(2026, 0, 1)
    const env = { WATCHTOWER_HEARTBEAT_FILE: file }
    const missing = testDeps({ env })
    expect(await main(['--health-check'], missing)).toBe(1)
    expect(missing.stderr.text).toContain('no heartbeat yet')
    const beat = { version: 1, pid: 7, intervalMs: 10_000, startedAt: now - 60_000, loopDeadline: now + 1000 }
    writeFileSync(file, JSON.stringify({ ...beat, writtenAt: now - 1000, engineOkAt: now - 1000 }))
    expect(await main(['--health-check'], testDeps({ env }))).toBe(0)
    writeFileSync(file, JSON.stringify({ ...beat, writtenAt: now - 1000, engineOkAt: now - 45_000 }))
    const lost = testDeps({ env })
    expect(await main(['--health-check'], lost)).toBe(1)
    expect(lost.stderr.text).toContain('the Docker engine has not answered for 45 s')
    rmSync(dir, { recursive: true, force: true })
    const deps = testDeps({ pid: 1 })
    expect(await main(['--health-check'], deps)).toBe(1)
    expect(deps.stderr.text).toContain('should never be passed to the main watchtower process')
  })
  it('notify-upgrade --help explains and writes nothing', async () => {
    const dir = tempDir('wt-nu-')
    const deps = testDeps({ env: { WATCHTOWER_NOTIFY_UPGRADE_DIR: dir } })
    expect(await main(['notify-upgrade', '--help'], deps)).toBe(0)
    expect(deps.stdout.text).toContain('Usage: watchtower notify-upgrade')
    expect(readdirSync(dir)).toEqual([])
  })
  it('notify-upgrade writes WATCHTOWER_NOTIFICATION_URL to an env file', async () => {
    const dir = tempDir('wt-nu-')
    const deps = testDeps({ env: { WATCHTOWER_NOTIFY_UPGRADE_DIR: dir } })
    const code = await main(
      [
        'notify-upgrade',
        '-n',
        'gotify',
        '--notification-gotify-url',
        'https://g.test',
        '--notification-gotify-token',
        'tok',
      ],
      deps,
    )
    expect(deps.stderr.text).toBe('')
    expect(code).toBe(0)
    const [file] = readdirSync(dir)
    expect(readFileSync(join(dir, file!), 'utf8')).toBe('WATCHTOWER_NOTIFICATION_URL=gotify://g.test/tok\n')
    expect(deps.stdout.text).not.toContain('tok')
  })
})
