/**
 * Benchmark 5, a pass with update policies: N containers over U repositories on the token registry
 * (each repository holds 1.0.0, 1.0.1, 1.1.0, 2.0.0, latest), the containers of half of them
 * labelled `tag-policy=semver:minor`, checked with `--run-once --monitor-only`, without and with
 * `--cooldown-delay`, beside the same containers with no policy at all. What is counted: the tag
 * list once per repository with a policy, one config read per candidate, one token for the pass,
 * and nothing more than a HEAD for the containers without a policy.
 */
import {
  dockerCli,
  pushImage,
  registryRequests,
  type Testbed,
  tagImage,
  uniqueName,
} from '@watchtower-ts/testbed'
import { countSince, logCursor, type RequestCounts } from './_bed.ts'
import { type Clis, cliCycle, lastLines } from './_cli.ts'
import { FAST_STOP_CMD, SCOPE_LABEL } from './_fixtures.ts'
import { mapLimit } from './_proc.ts'

const POLICY_LABEL = 'com.centurylinklabs.watchtower.tag-policy'
const TAGS = ['1.0.1', '1.1.0', '2.0.0', 'latest']

export interface PolicyCounts extends RequestCounts {
  /** `GET /v2/<name>/tags/list` pages. */
  tagLists: number
  /** Manifest HEADs (digest checks) and GETs (the candidates' manifests, read for their config). */
  manifestHeads: number
  manifestGets: number
}

export interface PolicyFigures {
  containers: number
  repositories: number
  /** Repositories whose containers carry the policy label. */
  withPolicy: number
  via: 'cli'
  /** Every container without a policy: the plain check cycle. */
  noPolicy: PolicyCounts
  /** Half the repositories with semver:minor. */
  policies: PolicyCounts
  /** The same with --cooldown-delay 1h (configs are read for the candidates anyway: no extra request). */
  policiesAndDelay: PolicyCounts
  floor: { noPolicy: number; policies: number }
}

export interface PolicyOptions {
  containers: number
  repositories: number
  clis: Clis
  log: (m: string) => void
}

async function counts(bed: Testbed, prefix: string, run: () => Promise<void>): Promise<PolicyCounts> {
  const cursor = await logCursor(bed)
  await run()
  const base = await countSince(bed, cursor, prefix, /^watchtower-ts$/)
  const reg = (await registryRequests(bed, 'token'))
    .slice(cursor.registry)
    .filter((r) => r.path.includes(`/${prefix}`))
  return {
    ...base,
    tagLists: reg.filter((r) => r.path.includes('/tags/list')).length,
    manifestHeads: reg.filter((r) => r.path.includes('/manifests/') && r.method === 'HEAD').length,
    manifestGets: reg.filter((r) => r.path.includes('/manifests/') && r.method === 'GET').length,
  }
}

export async function benchPolicies(bed: Testbed, o: PolicyOptions): Promise<PolicyFigures> {
  if (!o.clis.cycles) throw new Error(`the policies bench needs the watchtower CLI (${o.clis.note})`)
  const scope = uniqueName('wtpol')
  const N = o.containers
  const U = Math.max(2, Math.min(o.repositories, N))
  const P = Math.floor(U / 2)
  o.log(
    `policies: pushing ${U} repositories with ${TAGS.length + 1} tags, running ${N} containers (scope ${scope})`,
  )
  const repos = Array.from({ length: U }, (_, i) => `${scope}/r${i}`)
  const refs = await mapLimit(repos, 4, async (repository) => {
    const pushed = await pushImage(bed, { registry: 'token', variant: 'v1', repository, tag: '1.0.0' })
    await tagImage(bed, { registry: 'token', repository, from: '1.0.0', tags: TAGS })
    return pushed.ref
  })
  const names = Array.from({ length: N }, (_, i) => `${scope}-c${i}`)
  const start = (labelled: boolean) =>
    mapLimit(names, 8, (name, i) => {
      const r = i % U
      const label = labelled && r < P ? ['--label', `${POLICY_LABEL}=semver:minor`] : []
      return dockerCli(
        bed,
        [
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          name,
          '--label',
          `${SCOPE_LABEL}=${scope}`,
          ...label,
          refs[r]!,
          ...FAST_STOP_CMD,
        ],
        { reject: true },
      )
    })
  const removeAll = async () => {
    for (let i = 0; i < names.length; i += 50) await dockerCli(bed, ['rm', '-f', ...names.slice(i, i + 50)])
  }
  const pass =
    (extra: string[] = []) =>
    async () => {
      const r = await cliCycle(o.clis, bed, { scope, monitorOnly: true, extra })
      if (r.code !== 0) throw new Error(`watchtower --run-once failed (${r.code}): ${lastLines(r)}`)
    }
  try {
    await start(false)
    o.log('policies: no policy (the plain check cycle)')
    const noPolicy = await counts(bed, scope, pass())
    await removeAll()
    await start(true)
    o.log(`policies: semver:minor on ${P} of ${U} repositories`)
    const policies = await counts(bed, scope, pass())
    o.log('policies: the same with --cooldown-delay 1h')
    const policiesAndDelay = await counts(bed, scope, pass(['--cooldown-delay', '1h']))
    return {
      containers: N,
      repositories: U,
      withPolicy: P,
      via: 'cli',
      noPolicy,
      policies,
      policiesAndDelay,
      // ping + token + HEAD per repository; with policies: ping + token + (tag list + manifest GET +
      // config blob) per policy repository + HEAD per other repository
      floor: { noPolicy: 2 + U, policies: 2 + 3 * P + (U - P) },
    }
  } finally {
    await removeAll()
    const local = refs.flatMap((ref) => [ref, ...TAGS.map((t) => ref.replace(/:1\.0\.0$/, `:${t}`))])
    for (let i = 0; i < local.length; i += 50) await dockerCli(bed, ['rmi', ...local.slice(i, i + 50)])
  }
}
