/** Label names, compatible with containrrr/watchtower. */
export const LABELS = {
  watchtower: 'com.centurylinklabs.watchtower',
  enable: 'com.centurylinklabs.watchtower.enable',
  monitorOnly: 'com.centurylinklabs.watchtower.monitor-only',
  noPull: 'com.centurylinklabs.watchtower.no-pull',
  scope: 'com.centurylinklabs.watchtower.scope',
  dependsOn: 'com.centurylinklabs.watchtower.depends-on',
  stopSignal: 'com.centurylinklabs.watchtower.stop-signal',
  preCheck: 'com.centurylinklabs.watchtower.lifecycle.pre-check',
  postCheck: 'com.centurylinklabs.watchtower.lifecycle.post-check',
  preUpdate: 'com.centurylinklabs.watchtower.lifecycle.pre-update',
  postUpdate: 'com.centurylinklabs.watchtower.lifecycle.post-update',
  preUpdateTimeout: 'com.centurylinklabs.watchtower.lifecycle.pre-update-timeout',
  postUpdateTimeout: 'com.centurylinklabs.watchtower.lifecycle.post-update-timeout',
  /** watchtower-ts: seconds to wait for `healthy` after an update; `0` turns the health gate off. */
  healthTimeout: 'com.centurylinklabs.watchtower.health-timeout',
  /** watchtower-ts: on the helper container of a self-update; the value is the container's name. */
  selfUpdateHelper: 'com.centurylinklabs.watchtower.self-update-helper',
  /** watchtower-ts: `digest` (default), `semver:patch`, `semver:minor`, `semver:major`. */
  tagPolicy: 'com.centurylinklabs.watchtower.tag-policy',
  /** watchtower-ts: regular expressions narrowing the candidate tags, and a `REGEX => $1.$2` transform. */
  tagInclude: 'com.centurylinklabs.watchtower.tag-include',
  tagExclude: 'com.centurylinklabs.watchtower.tag-exclude',
  tagTransform: 'com.centurylinklabs.watchtower.tag-transform',
  /** The fork's minimum image age before an update (s, m, h, d, w, M; `0` disables). */
  cooldownDelay: 'com.centurylinklabs.watchtower.cooldown-delay',
  zodiacOriginalImage: 'com.centurylinklabs.zodiac.original-image',
  composeDependsOn: 'com.docker.compose.depends_on',
  composeProject: 'com.docker.compose.project',
  composeService: 'com.docker.compose.service',
  /** Compose v2: the image id the container was created from (a mismatch makes `up` recreate it). */
  composeImage: 'com.docker.compose.image',
} as const

/** Go's strconv.ParseBool; anything else is `undefined` (treated as absent, like upstream). */
export function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  return undefined
}

export function labelOf(labels: Record<string, string> | null | undefined, key: string): string | undefined {
  return labels?.[key]
}

/** Minutes label for hook timeouts: default 1, `0` = no limit, non-integer → 1. Returns ms. */
export function hookTimeoutMs(value: string | undefined): number {
  if (value === undefined) return 60_000
  const n = Number.parseInt(value, 10)
  if (!Number.isFinite(n) || String(n) !== value.trim() || n < 0) return 60_000
  return n * 60_000
}
