// Last step of resolveConfig: the checked values, mapped onto the typed
// WatchtowerConfig the rest of the app reads. No checks here.

import type { FlagSources, FlagValues } from './_flags.ts'
import type { Checked } from './_validate.ts'
import { normalizeLevel } from './_values.ts'
import type { LegacyNotificationConfig, LogFormat, WatchtowerConfig } from './types.ts'

export interface BuildInput {
  values: FlagValues
  sources: FlagSources
  checked: Checked
  /** Positional container names. */
  positionals: string[]
  /** Every `--host` given, in order. */
  hostFlags: string[]
  env: NodeJS.ProcessEnv
  /** Host name when --notifications-hostname is not set. */
  hostname: () => string
  /** Contents of --notification-template-file, which wins over --notification-template. */
  templateFromFile: string | undefined
  /** Every remark to log at startup, in order. */
  warnings: string[]
}

export function buildConfig(input: BuildInput): WatchtowerConfig {
  const { values: v, checked, env } = input
  const dockerHosts = engines(v, input.hostFlags)
  return {
    dockerHost: dockerHosts[0]!,
    dockerHosts,
    engineConcurrency: v['engine-concurrency'],
    tlsVerify: v.tlsverify,
    apiVersion: v['api-version'],
    certPath: v['cert-path'],
    containerNames: input.positionals,
    intervalSeconds: v.interval,
    schedule: checked.schedule,
    runOnce: v['run-once'],
    updateOnStart: v['update-on-start'],
    healthCheck: v['health-check'],
    noStartupMessage: v['no-startup-message'],
    selfUpdateHelper: v['self-update-helper'],
    heartbeatFile: v['heartbeat-file'],
    heartbeatIntervalMs: v['heartbeat-interval'],
    cleanup: v.cleanup,
    removeVolumes: v['remove-volumes'],
    noPull: v['no-pull'],
    noRestart: v['no-restart'],
    monitorOnly: v['monitor-only'],
    labelTakePrecedence: v['label-take-precedence'],
    rollingRestart: v['rolling-restart'],
    stopTimeoutMs: v['stop-timeout'],
    healthTimeoutMs: v['health-timeout'],
    tagPolicy: checked.tagPolicy,
    cooldownDelayMs: checked.cooldownDelayMs,
    includeStopped: v['include-stopped'],
    includeRestarting: v['include-restarting'],
    reviveStopped: v['revive-stopped'],
    lifecycleHooks: v['enable-lifecycle-hooks'],
    warnOnHeadFailure: (v['warn-on-head-failure'] || 'auto') as WatchtowerConfig['warnOnHeadFailure'],
    labelEnable: v['label-enable'],
    disableContainers: v['disable-containers'],
    monitorImageNames: v['monitor-image-names'],
    skipImageNames: v['skip-image-names'],
    scope: v.scope,
    noServices: v['no-services'],
    noContainers: v['no-containers'],
    serviceTimeoutMs: v['service-timeout'],
    httpApiUpdate: v['http-api-update'],
    httpApiPeriodicPolls: v['http-api-periodic-polls'],
    httpApiMetrics: v['http-api-metrics'],
    httpApiUi: v['http-api-ui'],
    stateFile: v['state-file'],
    httpApiToken: v['http-api-token'],
    httpApiHost: v['http-api-host'],
    httpApiPort: v['http-api-port'],
    registryCa: v['registry-ca'],
    registryCaValidate: v['registry-ca-validate'],
    registryRealmSameHost: v['registry-realm-same-host'],
    insecureRegistries: [...new Set(checked.insecureRegistries)],
    logLevel: checked.logLevel,
    logFormat: v['log-format'].toLowerCase() as LogFormat,
    noColor: v['no-color'],
    porcelain: v.porcelain,
    notificationUrls: v['notification-url'],
    notificationsLevel: normalizeLevel(v['notifications-level']),
    notificationsDelaySeconds: v['notifications-delay'],
    hostname: v['notifications-hostname'] || input.hostname(),
    notificationTemplate: input.templateFromFile ?? v['notification-template'],
    notificationReport: v['notification-report'],
    notificationTitleTag: v['notification-title-tag'],
    notificationSkipTitle: v['notification-skip-title'],
    notificationLogStdout: v['notification-log-stdout'],
    notificationSplitByContainer: v['notification-split-by-container'],
    legacy: legacyNotifications(v),
    repoUser: env.REPO_USER ?? '',
    repoPass: env.REPO_PASS ?? '',
    warnings: input.warnings,
    sources: input.sources,
  }
}

/** Several engines: repeated --host wins, then --hosts / WATCHTOWER_HOSTS, then DOCKER_HOST. */
function engines(v: FlagValues, hostFlags: string[]): string[] {
  return [
    ...new Set(
      hostFlags.length > 1 ? hostFlags : hostFlags.length === 0 && v.hosts.length > 0 ? v.hosts : [v.host],
    ),
  ]
}

function legacyNotifications(v: FlagValues): LegacyNotificationConfig {
  return {
    types: v.notifications,
    emailFrom: v['notification-email-from'],
    emailTo: v['notification-email-to'],
    emailServer: v['notification-email-server'],
    emailServerPort: v['notification-email-server-port'],
    emailServerUser: v['notification-email-server-user'],
    emailServerPassword: v['notification-email-server-password'],
    emailServerTlsSkipVerify: v['notification-email-server-tls-skip-verify'],
    emailDelaySeconds: v['notification-email-delay'],
    emailSubjectTag: v['notification-email-subjecttag'],
    slackHookUrl: v['notification-slack-hook-url'],
    slackIdentifier: v['notification-slack-identifier'],
    slackChannel: v['notification-slack-channel'],
    slackIconEmoji: v['notification-slack-icon-emoji'],
    slackIconUrl: v['notification-slack-icon-url'],
    msteamsHook: v['notification-msteams-hook'],
    msteamsData: v['notification-msteams-data'],
    gotifyUrl: v['notification-gotify-url'],
    gotifyToken: v['notification-gotify-token'],
    gotifyTlsSkipVerify: v['notification-gotify-tls-skip-verify'],
  }
}
