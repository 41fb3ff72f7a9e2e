const SECRET_FIELD =
  /("(?:Secret|secret|password|Password|auth|identitytoken|IdentityToken)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g
const SECRET_ENV_NAME = /SECRET|PASS|TOKEN|KEY|CREDENTIAL|AUTH/i

/**
 * Make helper output safe to show: JSON secret fields blanked, every known secret string (and every
 * value of a secret-looking env var) replaced, length capped.
 */
export function redact(
  text: string,
  options: {
    secrets?: readonly (string | undefined)[]
    env?: Readonly<Record<string, string | undefined>>
  } = {},
): string {
  let out = text.replace(SECRET_FIELD, '$1[redacted]$3')
  const secrets = new Set<string>()
  for (const s of options.secrets ?? []) if (s && s.length >= 3) secrets.add(s)
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value && value.length >= 4 && SECRET_ENV_NAME.test(name)) secrets.add(value)
  }
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]')
  out = out.trim()
  if (out.length > 500) out = `${out.slice(0, 500)}… (${out.length - 500} more characters)`
  return out === '' ? '(no output)' : JSON.stringify(out)
}
