import { describe, expect, it } from 'vitest'
import { runCli } from '../test/run-cli.ts'
import { normalizeOptions } from './cli.ts'
import { CheckFailure } from './failures.ts'
import type { Probe, StepOutcome } from './probe.ts'
import type { CheckReport } from './steps.ts'

const ok = (summary: string): StepOutcome => ({ status: 'ok', summary, details: { summary } })

function fakeProbe(overrides: Partial<Probe> = {}, secrets: string[] = []): Probe {
  return {
    reference: async () => ok('registry r, repository a/b, tag t'),
    credentials: async () => ok('user u from env REPO_USER'),
    tls: async () => ok('https'),
    ping: async () => ok('401 Bearer'),
    token: async () => ok('token granted'),
    manifest: async () => ok('sha256:abc'),
    rateLimit: async () => ({ status: 'skipped', summary: 'no headers', details: {} }),
    localImage: async () => ok('up to date'),
    secrets: () => secrets,
    close: async () => {},
    ...overrides,
  }
}

describe('option parsing', () => {
  it.each([
    [['img'], { image: 'img', insecureRegistry: [], json: false, verbose: false }],
    [
      ['--registry-ca', '/x/ca.pem', 'img', '--json'],
      { image: 'img', registryCa: '/x/ca.pem', insecureRegistry: [], json: true, verbose: false },
    ],
    [
      ['img', '--insecure-registry', 'a:5000', '--insecure-registry', 'b', '--verbose'],
      { image: 'img', insecureRegistry: ['a:5000', 'b'], json: false, verbose: true },
    ],
  ])('%j', async (args, expected) => {
    let seen: unknown
    const r = await runCli(args, {
      env: {},
      createProbe: (o) => {
        seen = o
        return fakeProbe()
      },
    })
    expect(r.code).toBe(0)
    expect(seen).toMatchObject({
      image: expected.image,
      insecureRegistries: expected.insecureRegistry,
      ...('registryCa' in expected ? { registryCa: expected.registryCa } : {}),
    })
    if (expected.json) expect(JSON.parse(r.stdout).ok).toBe(true)
  })

  it.each([[[]], [['--nope', 'img']], [['img', '--registry-ca']], [['img', '--insecure-registry', 'a/b']]])(
    'usage error %j exits 2 and says why',
    async (args) => {
      const r = await runCli(args, { env: {}, createProbe: () => fakeProbe() })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/credcheck: .+/)
      expect(r.stdout).toBe('')
    },
  )

  it('--help goes to the injected stdout and lists the exit codes', async () => {
    const r = await runCli(['--help'], { env: {}, createProbe: () => fakeProbe() })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Usage:\n {2}\$ credcheck IMAGE/)
    expect(r.stdout).toMatch(/6 credentials refused, 7 access denied/)
  })

  it.each([['--version'], ['-v']])('%s prints the package version on the injected stdout', async (flag) => {
    const r = await runCli([flag], { env: {}, createProbe: () => fakeProbe() })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^credcheck \d+\.\d+\.\d+\n$/)
  })

  it('rejects an --insecure-registry that is not HOST[:PORT]', () => {
    expect(() => normalizeOptions('i', { insecureRegistry: 'https://x/y' })).toThrow(/HOST\[:PORT\]/)
  })
})

describe('the step runner and its output', () => {
  it('prints every step in order with outcome and duration, exit 0', async () => {
    let t = 1000
    const r = await runCli(['127.0.0.1:1/a/b:t'], {
      env: {},
      now: () => (t += 5),
      createProbe: () => fakeProbe(),
    })
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n').filter((l) => /^\s*\d\./.test(l))
    expect(lines.map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'reference',
      'credentials',
      'tls',
      'ping',
      'token',
      'manifest',
      'rate',
      'local',
    ])
    expect(lines[0]).toMatch(/ok\s+5 ms\s+registry r/)
    expect(lines[6]).toMatch(/skip/)
    expect(r.stdout).toMatch(/OK: every step passed/)
  })

  it('stops at the first failure, prints cause and fix, exits with the class code', async () => {
    const probe = fakeProbe({
      token: async () => {
        throw new CheckFailure(
          'WT_CREDCHECK_TOKEN_DENIED',
          'the token server refused user u (401)',
          'fix the password',
        )
      },
    })
    const text = await runCli(['img'], { env: {}, createProbe: () => probe })
    expect(text.code).toBe(6)
    expect(text.stdout).toMatch(/5\. token\s+FAIL .*refused user u/)
    expect(text.stdout).toMatch(/fix: fix the password/)
    expect(text.stdout).toMatch(/6\. manifest\s+-/)
    const json = await runCli(['img', '--json'], { env: {}, createProbe: () => probe })
    const report = JSON.parse(json.stdout) as CheckReport
    expect(json.code).toBe(6)
    expect(report).toMatchObject({
      schemaVersion: 1,
      image: 'img',
      ok: false,
      exitCode: 6,
      failure: { step: 'token', code: 'WT_CREDCHECK_TOKEN_DENIED', fix: 'fix the password' },
    })
    expect(report.steps.map((s) => [s.n, s.id, s.status])).toEqual([
      [1, 'reference', 'ok'],
      [2, 'credentials', 'ok'],
      [3, 'tls', 'ok'],
      [4, 'ping', 'ok'],
      [5, 'token', 'failed'],
      [6, 'manifest', 'not-run'],
      [7, 'rate-limit', 'not-run'],
      [8, 'local-image', 'not-run'],
    ])
    expect(report.steps[4]!.error).toEqual({
      code: 'WT_CREDCHECK_TOKEN_DENIED',
      cause: 'the token server refused user u (401)',
      fix: 'fix the password',
    })
  })

  it('an unexpected error is an internal failure (exit 1), not a crash', async () => {
    const probe = fakeProbe({
      ping: async () => {
        throw new TypeError('boom')
      },
    })
    const r = await runCli(['img', '--verbose'], { env: {}, createProbe: () => probe })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/WT_CREDCHECK_INTERNAL.*boom/)
  })

  it('never prints a secret, even when a step (or a foreign error) leaks one', async () => {
    const secret = 'pa"ss:w0rd-xyz'
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln'
    const probe = fakeProbe(
      {
        credentials: async () => ok(`user u password ${secret}`),
        token: async () => {
          throw new CheckFailure('WT_CREDCHECK_PROTOCOL', `bad token ${jwt}`, `retry with ${secret}`, {
            cause: new Error(`inner ${secret}`),
          })
        },
      },
      [secret],
    )
    for (const args of [['img'], ['img', '--json'], ['img', '--verbose'], ['img', '--json', '--verbose']]) {
      const r = await runCli(args, { env: {}, createProbe: () => probe })
      expect(r.code).toBe(10)
      for (const out of [r.stdout, r.stderr]) {
        expect(out).not.toContain(secret)
        expect(out).not.toContain(JSON.stringify(secret).slice(1, -1))
        expect(out).not.toContain(jwt)
        expect(out).not.toMatch(/eyJ[\w-]+\.eyJ/)
      }
    }
  })
})
