import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { FLAGS } from './_flags.ts'
import { resolveConfig } from './resolve.ts'
import type { WatchtowerConfig } from './types.ts'

const base = { hostname: 'testhost', readSecretFile: () => undefined }
const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}, extra: object = {}) =>
  resolveConfig({ argv, env, ...base, ...extra }).config

type Get = (c: WatchtowerConfig) => unknown
// [flag, value text, read the config, expected]
const CASES: [string, string, Get, unknown][] = [
  ['host', 'tcp://127.0.0.1:2375', (c) => c.dockerHost, 'tcp://127.0.0.1:2375'],
  ['tlsverify', 'true', (c) => c.tlsVerify, true],
  ['api-version', '1.41', (c) => c.apiVersion, '1.41'],
  ['cert-path', '/certs', (c) => c.certPath, '/certs'],
  ['interval', '30', (c) => c.schedule, '@every 30s'],
  ['schedule', '0 0 4 * * *', (c) => c.schedule, '0 0 4 * * *'],
  ['run-once', 'true', (c) => c.runOnce, true],
  ['update-on-start', 'true', (c) => c.updateOnStart, true],
  ['health-check', 'true', (c) => c.healthCheck, true],
  ['no-startup-message', 'true', (c) => c.noStartupMessage, true],
  ['cleanup', 'true', (c) => c.cleanup, true],
  ['remove-volumes', 'true', (c) => c.removeVolumes, true],
  ['no-pull', 'true', (c) => c.noPull, true],
  ['no-restart', 'true', (c) => c.noRestart, true],
  ['monitor-only', 'true', (c) => c.monitorOnly, true],
  ['label-take-precedence', 'true', (c) => c.labelTakePrecedence, true],
  ['rolling-restart', 'true', (c) => c.rollingRestart, true],
  ['stop-timeout', '1m30s', (c) => c.stopTimeoutMs, 90_000],
  ['hosts', 'unix:///a.sock,ssh://u@h', (c) => c.dockerHosts, ['unix:///a.sock', 'ssh://u@h']],
  ['engine-concurrency', '2', (c) => c.engineConcurrency, 2],
  ['health-timeout', '2m', (c) => c.healthTimeoutMs, 120_000],
  ['heartbeat-file', '/run/hb.json', (c) => c.heartbeatFile, '/run/hb.json'],
  ['heartbeat-interval', '2s', (c) => c.heartbeatIntervalMs, 2000],
  ['tag-policy', 'semver:minor', (c) => c.tagPolicy, 'semver:minor'],
  ['cooldown-delay', '1w2d', (c) => c.cooldownDelayMs, 9 * 86_400_000],
  ['include-stopped', 'true', (c) => c.includeStopped, true],
  ['include-restarting', 'true', (c) => c.includeRestarting, true],
  ['revive-stopped', 'true', (c) => c.reviveStopped, true],
  ['enable-lifecycle-hooks', 'true', (c) => c.lifecycleHooks, true],
  ['warn-on-head-failure', 'never', (c) => c.warnOnHeadFailure, 'never'],
  ['label-enable', 'true', (c) => c.labelEnable, true],
  ['disable-containers', 'a,b c', (c) => c.disableContainers, ['a', 'b', 'c']],
  ['no-services', 'true', (c) => c.noServices, true],
  ['no-containers', 'true', (c) => c.noContainers, true],
  ['service-timeout', '2m30s', (c) => c.serviceTimeoutMs, 150_000],
  [
    'monitor-image-names',
    'nginx,127.0.0.1:5000/app',
    (c) => c.monitorImageNames,
    ['nginx', '127.0.0.1:5000/app'],
  ],
  ['skip-image-names', 'redis', (c) => c.skipImageNames, ['redis']],
  ['scope', '007', (c) => c.scope, '007'],
  ['http-api-update', 'true', (c) => c.httpApiUpdate, true],
  ['http-api-periodic-polls', 'true', (c) => c.httpApiPeriodicPolls, true],
  ['http-api-metrics', 'true', (c) => c.httpApiMetrics, true],
  ['http-api-ui', 'true', (c) => c.httpApiUi, true],
  ['state-file', '/var/lib/watchtower/state.json', (c) => c.stateFile, '/var/lib/watchtower/state.json'],
  ['http-api-token', '123e4', (c) => c.httpApiToken, '123e4'],
  ['http-api-host', '127.0.0.1', (c) => c.httpApiHost, '127.0.0.1'],
  ['http-api-port', '9090', (c) => c.httpApiPort, 9090],
  ['registry-ca', '/certs/ca.pem', (c) => c.registryCa, '/certs/ca.pem'],
  [
    'insecure-registry',
    '127.0.0.1:5000,reg.local',
    (c) => c.insecureRegistries,
    ['127.0.0.1:5000', 'reg.local'],
  ],
  ['registry-tls-skip', 'true', (c) => c.insecureRegistries, ['*']],
  ['registry-realm-same-host', 'true', (c) => c.registryRealmSameHost, true],
  ['log-level', 'warning', (c) => c.logLevel, 'warn'],
  ['log-format', 'JSON', (c) => c.logFormat, 'json'],
  ['debug', 'true', (c) => c.logLevel, 'debug'],
  ['trace', 'true', (c) => c.logLevel, 'trace'],
  ['no-color', 'true', (c) => c.noColor, true],
  ['porcelain', 'v1', (c) => c.notificationTemplate, 'porcelain.v1.summary-no-log'],
  ['notification-url', 'slack://a/b/c', (c) => c.notificationUrls, ['slack://a/b/c']],
  ['notifications', 'email', (c) => c.legacy.types, ['email']],
  ['notifications-level', 'debug', (c) => c.notificationsLevel, 'debug'],
  ['notifications-delay', '5', (c) => c.notificationsDelaySeconds, 5],
  ['notifications-hostname', 'box', (c) => c.hostname, 'box'],
  ['notification-template', '{{.Title}}', (c) => c.notificationTemplate, '{{.Title}}'],
  ['notification-report', 'true', (c) => c.notificationReport, true],
  ['notification-title-tag', 'prod', (c) => c.notificationTitleTag, 'prod'],
  ['notification-skip-title', 'true', (c) => c.notificationSkipTitle, true],
  ['notification-log-stdout', 'true', (c) => c.notificationLogStdout, true],
  ['notification-split-by-container', 'true', (c) => c.notificationSplitByContainer, true],
  ['notification-email-from', 'a@x.test', (c) => c.legacy.emailFrom, 'a@x.test'],
  ['notification-email-to', 'b@x.test', (c) => c.legacy.emailTo, 'b@x.test'],
  ['notification-email-server', 'smtp.x.test', (c) => c.legacy.emailServer, 'smtp.x.test'],
  ['notification-email-server-port', '2525', (c) => c.legacy.emailServerPort, 2525],
  ['notification-email-server-user', 'u', (c) => c.legacy.emailServerUser, 'u'],
  ['notification-email-server-password', 'pw', (c) => c.legacy.emailServerPassword, 'pw'],
  ['notification-email-server-tls-skip-verify', 'true', (c) => c.legacy.emailServerTlsSkipVerify, true],
  ['notification-email-delay', '3', (c) => c.legacy.emailDelaySeconds, 3],
  ['notification-email-subjecttag', 'tag', (c) => c.legacy.emailSubjectTag, 'tag'],
  [
    'notification-slack-hook-url',
    'https://hooks.slack.com/services/A/B/C',
    (c) => c.legacy.slackHookUrl,
    'https://hooks.slack.com/services/A/B/C',
  ],
  ['notification-slack-identifier', 'bot', (c) => c.legacy.slackIdentifier, 'bot'],
  ['notification-slack-channel', '#ops', (c) => c.legacy.slackChannel, '#ops'],
  ['notification-slack-icon-emoji', ':whale:', (c) => c.legacy.slackIconEmoji, ':whale:'],
  [
    'notification-slack-icon-url',
    'https://x.test/i.png',
    (c) => c.legacy.slackIconUrl,
    'https://x.test/i.png',
  ],
  [
    'notification-msteams-hook',
    'https://x.webhook.office.com/a',
    (c) => c.legacy.msteamsHook,
    'https://x.webhook.office.com/a',
  ],
  ['notification-msteams-data', 'true', (c) => c.legacy.msteamsData, true],
  ['notification-gotify-url', 'https://gotify.test', (c) => c.legacy.gotifyUrl, 'https://gotify.test'],
  ['notification-gotify-token', 'tok', (c) => c.legacy.gotifyToken, 'tok'],
  ['notification-gotify-tls-skip-verify', 'true', (c) => c.legacy.gotifyTlsSkipVerify, true],
]

const NEEDS: Record<string, string[]> = {
  'http-api-update': ['--http-api-token', 't'],
  'http-api-metrics': ['--http-api-token', 't'],
  'http-api-ui': ['--http-api-token', 't'],
  'registry-ca-validate': ['--registry-ca', '/x'],
}

describe('every flag, in flag and env form', () => {
  it('covers every flag of the table', () => {
    const covered = new Set([
      ...CASES.map((c) => c[0]),
      'registry-ca-validate',
      'notification-template-file',
      'self-update-helper',
    ])
    expect(FLAGS.map((f) => f.name).filter((n) => !covered.has(n))).toEqual([])
  })
  for (const [name, text, get, expected] of CASES) {
    const flag = FLAGS.find((f) => f.name === name)!
    it(`--${name}`, () => {
      const argv = flag.kind === 'bool' ? [`--${name}`] : [`--${name}`, text]
      expect(get(cfg([...argv, ...(NEEDS[name] ?? [])]))).toEqual(expected)
      expect(get(cfg([`--${name}=${text}`, ...(NEEDS[name] ?? [])]))).toEqual(expected)
    })
    if (flag.env) {
      it(`${flag.env} (for --${name})`, () => {
        expect(get(cfg(NEEDS[name] ?? [], { [flag.env!]: text }))).toEqual(expected)
      })
    }
    if (flag.short) {
      it(`-${flag.short} (for --${name})`, () => {
        const argv = flag.kind === 'bool' ? [`-${flag.short}`] : [`-${flag.short}`, text]
        expect(get(cfg([...argv, ...(NEEDS[name] ?? [])]))).toEqual(expected)
      })
    }
  }
})

describe('defaults', () => {
  it('match upstream', () => {
    const c = cfg([])
    expect(c).toMatchObject({
      dockerHost: 'unix:///var/run/docker.sock',
      apiVersion: '',
      intervalSeconds: 86400,
      schedule: '@every 86400s',
      stopTimeoutMs: 10_000,
      healthTimeoutMs: 60_000,
      noServices: false,
      noContainers: false,
      serviceTimeoutMs: 600_000,
      tagPolicy: 'digest',
      cooldownDelayMs: 0,
      logLevel: 'info',
      logFormat: 'auto',
      notificationsLevel: 'info',
      httpApiPort: 8080,
      warnOnHeadFailure: 'auto',
      hostname: 'testhost',
      containerNames: [],
      insecureRegistries: [],
    })
    expect(c.legacy.slackIdentifier).toBe('watchtower')
    expect(c.legacy.emailServerPort).toBe(25)
    expect(c.sources.interval).toBe('default')
  })
})

describe('parsing rules', () => {
  it('a flag overrides its env var, and sources say where values came from', () => {
    const c = cfg(['--stop-timeout', '5s'], { WATCHTOWER_TIMEOUT: '20s', WATCHTOWER_CLEANUP: '1' })
    expect(c.stopTimeoutMs).toBe(5000)
    expect(c.cleanup).toBe(true)
    expect(c.sources['stop-timeout']).toBe('flag --stop-timeout')
    expect(c.sources.cleanup).toBe('env WATCHTOWER_CLEANUP')
  })
  it('booleans take Go forms and --flag=false turns an env true off', () => {
    expect(cfg(['--cleanup=false'], { WATCHTOWER_CLEANUP: 'true' }).cleanup).toBe(false)
    expect(cfg([], { WATCHTOWER_CLEANUP: 'T' }).cleanup).toBe(true)
    expect(cfg([], { WATCHTOWER_CLEANUP: '0' }).cleanup).toBe(false)
  })
  it('a boolean does not consume the next word (it is a container name)', () => {
    expect(cfg(['--debug', 'false']).containerNames).toEqual(['false'])
  })
  it('positional container names mix with flags; -- ends flags', () => {
    expect(cfg(['web', '-c', 'db', '--', '--odd']).containerNames).toEqual(['web', 'db', '--odd'])
  })
  it('combined shorthands and attached values', () => {
    const c = cfg(['-cRi30', '-t=1m'])
    expect(c).toMatchObject({ cleanup: true, runOnce: true, intervalSeconds: 30, stopTimeoutMs: 60_000 })
  })
  it('levels and formats are case-insensitive', () => {
    expect(cfg(['--log-level', 'DEBUG', '--log-format', 'LogFmt']).logLevel).toBe('debug')
    expect(cfg([], { WATCHTOWER_NOTIFICATIONS_LEVEL: 'Warn' }).notificationsLevel).toBe('warn')
    expect(cfg(['--warn-on-head-failure', 'Always']).warnOnHeadFailure).toBe('always')
  })
  it('a bare number in a duration env var is seconds, with a warning', () => {
    const c = cfg([], { WATCHTOWER_TIMEOUT: '30' })
    expect(c.stopTimeoutMs).toBe(30_000)
    expect(c.warnings).toContain('WATCHTOWER_TIMEOUT=30 has no unit: read as 30s')
  })
  it('empty env vars are unset', () => {
    expect(cfg([], { WATCHTOWER_POLL_INTERVAL: '' }).intervalSeconds).toBe(86400)
  })
  it('NO_COLOR counts when present with any non-false value', () => {
    expect(cfg([], { NO_COLOR: 'yes' }).noColor).toBe(true)
    expect(cfg([], { NO_COLOR: '0' }).noColor).toBe(false)
  })
  it('lists: repeated flags add up, env lists split on commas and spaces', () => {
    expect(cfg(['-x', 'a', '-x', 'b,c']).disableContainers).toEqual(['a', 'b', 'c'])
    expect(cfg([], { WATCHTOWER_DISABLE_CONTAINERS: 'a, b  c' }).disableContainers).toEqual(['a', 'b', 'c'])
    expect(cfg(['--insecure-registry', 'a:1', '--insecure-registry', 'b']).insecureRegistries).toEqual([
      'a:1',
      'b',
    ])
    expect(cfg([], { WATCHTOWER_INSECURE_REGISTRY: 'true' }).insecureRegistries).toEqual(['*'])
  })
  it('notification URLs: repeatable flag, whitespace-separated env, commas kept', () => {
    expect(
      cfg(['--notification-url', 'a://x?y=1,2', '--notification-url', 'b://z']).notificationUrls,
    ).toEqual(['a://x?y=1,2', 'b://z'])
    expect(cfg([], { WATCHTOWER_NOTIFICATION_URL: 'a://x b://y\nc://z' }).notificationUrls).toEqual([
      'a://x',
      'b://y',
      'c://z',
    ])
  })
  it('positional names and REPO_USER / REPO_PASS pass through', () => {
    const c = cfg(['web'], { REPO_USER: 'u', REPO_PASS: 'p' })
    expect([c.repoUser, c.repoPass]).toEqual(['u', 'p'])
  })
  it('--schedule accepts 6 fields, 5 fields (optional dow), @every and descriptors', () => {
    for (const s of ['*/5 * * * * *', '0 0 4 * *', '@every 1h30m', '@daily', '@hourly']) {
      expect(cfg(['--schedule', s]).schedule).toBe(s)
    }
  })
})

describe('secrets from files', () => {
  const files: Record<string, string> = {
    '/run/secrets/token': 'file-token\n',
    '/run/secrets/urls': 'slack://a/b/c\n\n  gotify://h/t  \n',
    'C:\\token': 'win-token',
  }
  const read = (p: string) => files[p]
  const r = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    resolveConfig({ argv, env, hostname: 'h', readSecretFile: read }).config
  it('replaces a value naming a file with its trimmed content', () => {
    expect(r(['--http-api-token', '/run/secrets/token']).httpApiToken).toBe('file-token')
    expect(r([], { WATCHTOWER_NOTIFICATION_GOTIFY_TOKEN: '/run/secrets/token' }).legacy.gotifyToken).toBe(
      'file-token',
    )
    expect(r(['--notification-email-server-password', '/run/secrets/token']).legacy.emailServerPassword).toBe(
      'file-token',
    )
  })
  it('each non-empty line of a notification-url file is one URL', () => {
    expect(
      r(['--notification-url', '/run/secrets/urls', '--notification-url', 'logger://']).notificationUrls,
    ).toEqual(['slack://a/b/c', 'gotify://h/t', 'logger://'])
  })
  it('a value with ":" anywhere but index 1 is never a path', () => {
    files['https://hooks.example/x'] = 'never read'
    expect(r(['--notification-slack-hook-url', 'https://hooks.example/x']).legacy.slackHookUrl).toBe(
      'https://hooks.example/x',
    )
    expect(r(['--http-api-token', 'C:\\token']).httpApiToken).toBe('win-token')
  })
  it('a value that is not an existing file stays as is', () => {
    expect(r(['--http-api-token', '/nope']).httpApiToken).toBe('/nope')
  })
  it('reads --notification-template-file', () => {
    files['/t.tmpl'] = '{{range .}}{{.Message}}{{end}}'
    expect(r(['--notification-template-file', '/t.tmpl']).notificationTemplate).toBe(files['/t.tmpl'])
    expect(() => r(['--notification-template-file', '/missing'])).toThrow(/template file "\/missing"/)
  })
})

describe('porcelain', () => {
  it('v1 sets logger://, stdout, report and the porcelain template', () => {
    const c = cfg(['--porcelain', 'v1'])
    expect(c).toMatchObject({
      notificationUrls: ['logger://'],
      notificationLogStdout: true,
      notificationReport: true,
      notificationTemplate: 'porcelain.v1.summary-no-log',
    })
  })
  it('keeps what the user gave', () => {
    const c = cfg(['-P', 'v1', '--notification-template', 'json.v1'])
    expect(c.notificationTemplate).toBe('json.v1')
  })
})

describe('errors name the flag or env var', () => {
  const bad: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--nope'], {}, /unknown flag: --nope/],
    [['-z'], {}, /unknown shorthand flag: 'z' in -z/],
    [['--schedule'], {}, /flag needs an argument: --schedule/],
    [['--interval', 'abc'], {}, /"abc" for --interval: expected an integer/],
    [[], { WATCHTOWER_POLL_INTERVAL: '1h' }, /"1h" for WATCHTOWER_POLL_INTERVAL/],
    [['--interval', '0'], {}, /interval must be positive/],
    [['--stop-timeout', '10'], {}, /"10" for --stop-timeout: expected a Go duration/],
    [[], { WATCHTOWER_TIMEOUT: 'soon' }, /"soon" for WATCHTOWER_TIMEOUT/],
    [['--stop-timeout', '-1s'], {}, /--stop-timeout: the stop timeout must not be negative/],
    [['--cleanup=maybe'], {}, /"maybe" for "--cleanup" flag: not a boolean/],
    [[], { WATCHTOWER_CLEANUP: 'yes' }, /"yes" for WATCHTOWER_CLEANUP: expected a boolean/],
    [['--log-level', 'loud'], {}, /"loud" for --log-level: expected one of/],
    [['--log-format', 'xml'], {}, /"xml" for --log-format/],
    [['--warn-on-head-failure', 'sometimes'], {}, /--warn-on-head-failure/],
    [['--porcelain', 'v2'], {}, /unknown porcelain version "v2" for flag --porcelain/],
    [['--schedule', '@daily', '--interval', '30'], {}, /only schedule or interval.*--schedule.*--interval/],
    [['--schedule', '* * *'], {}, /invalid schedule "\* \* \*": expected 6 fields/],
    [['--schedule', '99 * * * * *'], {}, /invalid schedule "99 \* \* \* \* \*"/],
    [['--schedule', '@every soon'], {}, /@every needs a positive Go duration/],
    [['--rolling-restart', '-m'], {}, /--rolling-restart cannot be combined with the global --monitor-only/],
    [['--registry-ca-validate'], {}, /--registry-ca-validate needs --registry-ca/],
    [
      ['--no-services', '--no-containers'],
      {},
      /--no-services and flag --no-containers together leave nothing/,
    ],
    [
      [],
      { WATCHTOWER_SERVICE_TIMEOUT: '0s' },
      /WATCHTOWER_SERVICE_TIMEOUT: the service timeout must be positive/,
    ],
    [['--http-api-update'], {}, /--http-api-token .* is required/],
    [['--http-api-port', '70000'], {}, /"70000" for flag --http-api-port: not a TCP port/],
    [['-n', 'pigeon'], {}, /unknown notification type "pigeon" in flag -n/],
    [['--skip-image-names', 'Bad/Ref'], {}, /invalid image "Bad\/Ref" in flag --skip-image-names/],
  ]
  for (const [argv, env, re] of bad) {
    it(`${argv.join(' ')} ${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`, () => {
      let err: unknown
      try {
        cfg(argv, env)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).code).toBe('WT_WATCHTOWER_CONFIG')
      expect((err as Error).message).toMatch(re)
    })
  }
})

describe('schedule and interval from env (upstream: only the --interval flag conflicts)', () => {
  it('a schedule wins over an env interval, with a warning', () => {
    const c = cfg(['--schedule', '@daily'], { WATCHTOWER_POLL_INTERVAL: '30' })
    expect(c.schedule).toBe('@daily')
    expect(c.warnings).toContain(
      'env WATCHTOWER_POLL_INTERVAL is ignored because a schedule is set (flag --schedule)',
    )
    expect(cfg([], { WATCHTOWER_POLL_INTERVAL: '30', WATCHTOWER_SCHEDULE: '@hourly' }).schedule).toBe(
      '@hourly',
    )
  })
  it('an --interval flag with an env schedule is an error', () => {
    expect(() => cfg(['--interval', '30'], { WATCHTOWER_SCHEDULE: '@hourly' })).toThrow(
      /only schedule or interval/,
    )
  })
})

describe('warnings', () => {
  it('monitor-only with no-pull warns; trace warns; insecure warns', () => {
    expect(cfg(['-m', '--no-pull', '--trace', '--insecure-registry', 'r:1']).warnings).toHaveLength(3)
  })
})

describe('--help and --version', () => {
  it('are reported', () => {
    expect(resolveConfig({ argv: ['-h'], env: {} }).help).toBe(true)
    expect(resolveConfig({ argv: ['--version'], env: {} }).version).toBe(true)
  })
})

describe('update policies', () => {
  it('a bad --tag-policy or cooldown delay names where it came from', () => {
    expect(() => cfg(['--tag-policy', 'newest'])).toThrow(/--tag-policy.*expected one of .*semver:minor/)
    expect(() => cfg([], { WATCHTOWER_COOLDOWN_DELAY: 'soon' })).toThrow(
      /env WATCHTOWER_COOLDOWN_DELAY: "soon" is not a duration/,
    )
  })
})

describe('several engines (--host repeated, --hosts, WATCHTOWER_HOSTS)', () => {
  it('DOCKER_HOST and one --host keep giving one engine', () => {
    expect(cfg([]).dockerHosts).toEqual(['unix:///var/run/docker.sock'])
    expect(cfg([], { DOCKER_HOST: 'tcp://127.0.0.1:2376' }).dockerHosts).toEqual(['tcp://127.0.0.1:2376'])
    const one = cfg(['--host', 'unix:///a.sock'], { DOCKER_HOST: 'tcp://127.0.0.1:2376' })
    expect([one.dockerHost, one.dockerHosts]).toEqual(['unix:///a.sock', ['unix:///a.sock']])
  })

  it('repeated --host gives every engine, in order; it wins over WATCHTOWER_HOSTS', () => {
    const c = cfg(['-H', 'unix:///a.sock', '--host', 'ssh://u@h1', '--host=tcp://h2:2376'], {
      WATCHTOWER_HOSTS: 'unix:///x.sock,unix:///y.sock',
    })
    expect(c.dockerHosts).toEqual(['unix:///a.sock', 'ssh://u@h1', 'tcp://h2:2376'])
    expect(c.dockerHost).toBe('unix:///a.sock')
  })

  it('WATCHTOWER_HOSTS (comma list) or --hosts when no --host is given', () => {
    const c = cfg([], { WATCHTOWER_HOSTS: 'unix:///x.sock, ssh://u@h1', DOCKER_HOST: 'unix:///d.sock' })
    expect(c.dockerHosts).toEqual(['unix:///x.sock', 'ssh://u@h1'])
    expect(cfg(['--hosts', 'a,b']).dockerHosts).toEqual(['a', 'b'])
    expect(cfg(['--engine-concurrency', '2']).engineConcurrency).toBe(2)
    expect(() => cfg(['--engine-concurrency', '0'])).toThrow(/engine-concurrency/)
  })
})
