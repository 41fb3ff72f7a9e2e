/**
 * `credcheck tags REF`: the repository's tags through watchtower's own registry client (same
 * credentials, trust, token scope `pull` and pagination as a pass with a tag policy), and, with
 * `--policy`, why that policy finds (or does not find) a newer tag: each candidate in order, whether
 * it has the platform (`--platform`, default linux/amd64) and how old it is.
 */
import { createCredentialResolver } from '@watchtower-ts/credentials'
import {
  formatAge,
  parseDockerVersion,
  parseTagPolicy,
  pickNewerTag,
  type TagPolicy,
} from '@watchtower-ts/docker-updater'
import {
  createRegistryClient,
  type ImageReference,
  isRegistryError,
  parseReference,
  type RegistryEvent,
} from '@watchtower-ts/registry-client'
import { createTrustStore } from '@watchtower-ts/tls'
import { createTokenCache } from '@watchtower-ts/token-cache'
import { EXIT_CODES, ExitError } from '../failures.ts'
import { redact } from '../render.ts'
import type { CommandDeps } from './check.ts'

export interface TagsOptions {
  image: string
  registryCa?: string
  insecureRegistry: string[]
  json: boolean
  policy?: string
  include?: string
  exclude?: string
  transform?: string
  /** `os/arch[/variant]`. @default linux/amd64 */
  platform?: string
  /** Candidates looked at with --policy (each costs a config read). @default 5 */
  candidates?: number
}

interface Candidate {
  tag: string
  usable: boolean
  note: string
  created?: string
}

const EXIT_BY_CODE: Record<string, number> = {
  WT_REGISTRY_UNAUTHORIZED: EXIT_CODES.credentialsRefused,
  WT_REGISTRY_TOKEN_DENIED: EXIT_CODES.accessDenied,
  WT_REGISTRY_NOT_FOUND: EXIT_CODES.notFound,
  WT_REGISTRY_RATE_LIMITED: EXIT_CODES.rateLimited,
  WT_REGISTRY_TLS: EXIT_CODES.tls,
  WT_REGISTRY_NETWORK: EXIT_CODES.unreachable,
  WT_REGISTRY_TIMEOUT: EXIT_CODES.unreachable,
  WT_REGISTRY_PROTOCOL: EXIT_CODES.protocol,
  WT_REFERENCE_INVALID: EXIT_CODES.usage,
}

/** What to do about a failed tag listing, in plain words. */
function explain(code: string, ref: ImageReference): string {
  const scope = `repository:${ref.repository}:pull`
  switch (code) {
    case 'WT_REGISTRY_UNAUTHORIZED':
    case 'WT_REGISTRY_TOKEN_DENIED':
      return `the tag list needs the same ${scope} scope as the manifests; some registries grant manifests but not the tag list (a Harbor robot without "list artifact", an ECR policy without ecr:ListImages): give the account that right, then \`credcheck ${ref.original}\` checks the rest of the chain`
    case 'WT_REGISTRY_NOT_FOUND':
      return `the registry does not know ${ref.repository}, or hides it from these credentials (a private repository answers 404 to others)`
    default:
      return `\`credcheck ${ref.original}\` walks the whole chain step by step`
  }
}

function parsePlatform(text: string | undefined) {
  const [os = 'linux', architecture = 'amd64', variant] = (text ?? 'linux/amd64').split('/')
  return variant ? { os, architecture, variant } : { os, architecture }
}

/** Why no tag qualified: how many tags each rule turned away. */
function whyNothing(current: string, tags: readonly string[], policy: TagPolicy): string[] {
  const now = parseDockerVersion(current)
  if (!now) return []
  const out = { filtered: 0, notVersion: 0, shape: 0, prerelease: 0, notNewer: 0, bound: 0 }
  for (const tag of tags) {
    if (tag === current) continue
    if ((policy.include && !policy.include.test(tag)) || policy.exclude?.test(tag)) {
      out.filtered++
      continue
    }
    const v = parseDockerVersion(tag)
    if (!v) out.notVersion++
    else if (v.prefix !== now.prefix || v.suffix !== now.suffix || v.release.length !== now.release.length)
      out.shape++
    else if (v.prerelease !== undefined && now.prerelease === undefined) out.prerelease++
    else if (pickNewerTag(current, [tag], { kind: 'semver:major' }).kind !== 'newer') out.notNewer++
    else out.bound++
  }
  const lines = [
    out.filtered && `${out.filtered} left out by --include/--exclude`,
    out.notVersion && `${out.notVersion} not versions (latest, sha-…)`,
    out.shape &&
      `${out.shape} of another shape (prefix "${now.prefix}", ${now.release.length} segments, suffix "${now.suffix}" must stay)`,
    out.prerelease && `${out.prerelease} pre-releases (only taken when the current tag is one)`,
    out.notNewer && `${out.notNewer} not newer than ${current}`,
    out.bound && `${out.bound} newer but beyond ${policy.kind}`,
  ]
  return lines.filter((l): l is string => typeof l === 'string')
}

export async function runTags(options: TagsOptions, deps: CommandDeps): Promise<void> {
  const secrets: string[] = []
  const out = (text: string) => deps.stdout.write(redact(text, secrets))
  let ref: ImageReference
  let policy: TagPolicy | undefined
  try {
    ref = parseReference(options.image)
    if (options.policy || options.include || options.exclude || options.transform) {
      policy = parseTagPolicy(
        {
          policy: options.policy ?? 'semver:major',
          ...(options.include ? { include: options.include } : {}),
          ...(options.exclude ? { exclude: options.exclude } : {}),
          ...(options.transform ? { transform: options.transform } : {}),
        },
        '--policy',
      )
    }
  } catch (error) {
    deps.stderr.write(`credcheck: ${(error as Error).message}\n`)
    throw new ExitError(EXIT_CODES.usage)
  }
  const platform = parsePlatform(options.platform)
  const resolver = createCredentialResolver({ env: deps.env, now: deps.now })
  const trust = await createTrustStore({
    ...(options.registryCa !== undefined ? { caFile: options.registryCa } : {}),
    ...(deps.certsDirs ? { certsDirs: deps.certsDirs } : {}),
    insecureRegistries: options.insecureRegistry,
    now: deps.now,
  })
  const events: RegistryEvent[] = []
  const client = createRegistryClient({
    credentials: resolver,
    tokenCache: createTokenCache(),
    trust,
    maxRetries: 0,
    now: deps.now,
    userAgent: 'credcheck (watchtower-ts)',
    clientId: 'credcheck',
    onEvent: (e) => events.push(e),
  })
  try {
    try {
      const creds = await resolver.resolve(ref.registry)
      const secret = creds.secret()
      if (secret) secrets.push(secret)
      if (creds.kind !== 'anonymous') secrets.push(creds.engineAuth())
    } catch {}
    client.startCycle([ref])
    let list: Awaited<ReturnType<typeof client.listTags>>
    try {
      list = await client.listTags(ref)
    } catch (error) {
      const code = isRegistryError(error) ? error.code : 'WT_REGISTRY_PROTOCOL'
      const message = error instanceof Error ? error.message : String(error)
      const fix = explain(code, ref)
      if (options.json)
        out(`${JSON.stringify({ image: ref.original, error: { code, message, fix } }, null, 2)}\n`)
      else out(`credcheck tags ${ref.original}\n\nFAIL  ${code}: ${message}\n      fix: ${fix}\n`)
      throw new ExitError(EXIT_BY_CODE[code] ?? EXIT_CODES.internal)
    }
    const scopes = [...new Set(events.flatMap((e) => (e.type === 'token' ? e.scopes : [])))]
    const requests = client.stats().requests
    const candidates: Candidate[] = []
    let verdict: string | undefined
    let reasons: string[] = []
    const current = ref.tag
    if (policy && current !== undefined) {
      const tried = new Set<string>()
      for (let i = 0; i < (options.candidates ?? 5); i++) {
        const choice = pickNewerTag(
          current,
          list.tags.filter((t) => !tried.has(t)),
          policy,
        )
        if (choice.kind !== 'newer') {
          if (candidates.length === 0) {
            verdict = choice.reason
            reasons = whyNothing(current, list.tags, policy)
          }
          break
        }
        tried.add(choice.tag)
        try {
          const info = await client.imageConfig(
            parseReference(`${ref.registry}/${ref.repository}:${choice.tag}`),
            platform,
          )
          const p = info.platform
          const same =
            p.os === platform.os &&
            p.architecture === platform.architecture &&
            (!p.variant || !('variant' in platform) || p.variant === platform.variant)
          const age =
            info.created === undefined ? 'no created time' : `${formatAge(deps.now() - info.created)} old`
          const c: Candidate = {
            tag: choice.tag,
            usable: same,
            note: same
              ? `${[p.os, p.architecture, p.variant].filter(Boolean).join('/')}, ${age}`
              : `its image is ${[p.os, p.architecture, p.variant].filter(Boolean).join('/')}, not ${options.platform ?? 'linux/amd64'}`,
          }
          if (info.created !== undefined) c.created = new Date(info.created).toISOString()
          candidates.push(c)
          if (same) break
        } catch (error) {
          candidates.push({ tag: choice.tag, usable: false, note: (error as Error).message })
        }
      }
      if (candidates.length > 0 && !candidates.some((c) => c.usable))
        verdict = `no candidate has a ${options.platform ?? 'linux/amd64'} image: the container stays on ${current}`
      else if (candidates.some((c) => c.usable))
        verdict = `a container on ${current} moves to ${candidates.find((c) => c.usable)!.tag}`
    }
    if (options.json) {
      out(
        `${JSON.stringify(
          {
            image: ref.original,
            repository: `${ref.registry}/${ref.repository}`,
            tags: list.tags,
            pages: list.pages,
            truncated: list.truncated,
            scopes,
            requests,
            ...(policy ? { policy: policy.kind, candidates, verdict, reasons } : {}),
          },
          null,
          2,
        )}\n`,
      )
      return
    }
    const lines = [`credcheck tags ${ref.original}`, '']
    lines.push(
      `repository ${ref.registry}/${ref.repository}: ${list.tags.length} tags in ${list.pages} page(s)${list.truncated ? ' (CUT SHORT: the client keeps a bounded list; a policy may miss newer tags)' : ', complete'}`,
    )
    lines.push(
      `token scope: ${scopes.length > 0 ? scopes.join(' ') : 'none (anonymous or basic auth)'}; requests: ${requests.tagsList} tag list page(s), ${requests.token} token`,
    )
    lines.push('', ...wrap(list.tags))
    if (policy) {
      lines.push(
        '',
        `policy ${policy.kind} from ${current ?? '(no tag)'}, platform ${options.platform ?? 'linux/amd64'}:`,
      )
      for (const c of candidates) lines.push(`  ${c.usable ? 'ok  ' : 'skip'} ${c.tag}: ${c.note}`)
      if (verdict) lines.push(`  ${verdict}`)
      for (const r of reasons) lines.push(`    ${r}`)
      if (list.truncated) lines.push('  the tag list was cut short: a newer tag may be beyond the bound')
    }
    out(`${lines.join('\n')}\n`)
  } finally {
    await client.close()
    await trust.close()
  }
}

function wrap(tags: readonly string[], width = 100): string[] {
  const lines: string[] = []
  let line = ''
  for (const t of tags) {
    if (line && line.length + t.length + 2 > width) {
      lines.push(line)
      line = ''
    }
    line = line ? `${line}  ${t}` : `  ${t}`
  }
  if (line) lines.push(line)
  return lines
}
