/**
 * The bench's view of the test bed: brought up with the bed's own CLI (`tooling/testbed/bin.mjs
 * up`), read from its JSON state file, held with a lease while the bench runs, and its logs read
 * with the bed's helpers to count what the registry and the token server received.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registryRequests, type Testbed, tokenLog } from '@watchtower-ts/testbed'
import { run } from './_proc.ts'

export function bedDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['WT_TESTBED_DIR'] || join(tmpdir(), 'watchtower-ts-testbed')
}

/** `node tooling/testbed/bin.mjs up` (reuses what is up), then the Testbed from state.json. */
export async function bringUpBed(root: string, log: (m: string) => void): Promise<Testbed> {
  log('test bed: bringing it up (or reusing it)')
  const bin = join(root, 'tooling/testbed/bin.mjs')
  const up = await run(process.execPath, [bin, 'up'], { cwd: root })
  if (up.code !== 0) {
    // `up` failed, but a bed that answers (`status` exits 0) is still usable.
    const why = (up.stderr.trim() || up.stdout.trim()).split('\n').slice(0, 3).join(' | ')
    const status = await run(process.execPath, [bin, 'status'], { cwd: root })
    if (status.code !== 0) throw new Error(`the test bed could not be brought up: ${why}`)
    log(`test bed: \`up\` failed (${why}), but the bed is up: using it`)
  }
  const dir = bedDir()
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { bed?: Testbed }
  if (!state.bed) throw new Error(`the test bed's state file ${join(dir, 'state.json')} holds no bed`)
  // A lease (the bed's own convention) keeps a test run that ends meanwhile from stopping the bed.
  await mkdir(join(dir, 'leases'), { recursive: true })
  await writeFile(join(dir, 'leases', String(process.pid)), new Date().toISOString())
  return state.bed
}

export async function releaseBed(): Promise<void> {
  await rm(join(bedDir(), 'leases', String(process.pid)), { force: true })
}

/** What one registry and the token server received during one phase. */
export interface RequestCounts {
  /** `GET /v2/` */
  pings: number
  /** Token requests (token server log). */
  tokens: number
  /** Manifest requests (HEAD + GET), 401s included. */
  manifests: number
  /** Of which answered 401. */
  unauthorized: number
  /** Blob requests (pulls). */
  blobs: number
  /** Every request: registry + token server. */
  total: number
}

export interface LogCursor {
  registry: number
  token: number
}

/** Where the token registry's and the token server's logs stand now. */
export async function logCursor(bed: Testbed): Promise<LogCursor> {
  const [reg, tok] = await Promise.all([registryRequests(bed, 'token'), tokenLog(bed)])
  return { registry: reg.length, token: tok.length }
}

/**
 * Requests since `cursor` that belong to one phase: paths and token scopes naming a repository
 * under `prefix`, and pings (`GET /v2/`, which name none) sent with a user agent matching `agent`.
 * The logs are shared: run the bench on a quiet bed for exact ping counts.
 */
export async function countSince(
  bed: Testbed,
  cursor: LogCursor,
  prefix: string,
  agent: RegExp,
): Promise<RequestCounts> {
  // distribution writes its access log line after answering: give it a moment.
  await new Promise((r) => setTimeout(r, 150))
  const [reg, tok] = await Promise.all([registryRequests(bed, 'token'), tokenLog(bed)])
  const mine = reg
    .slice(cursor.registry)
    .filter((r) => r.path.includes(`/${prefix}`) || (r.path === '/v2/' && agent.test(r.userAgent)))
  const tokens = tok.slice(cursor.token).filter((t) => t.scopes.some((s) => s.includes(`:${prefix}`)))
  const pings = mine.filter((r) => r.path === '/v2/').length
  const manifests = mine.filter((r) => r.path.includes('/manifests/'))
  const blobs = mine.filter((r) => r.path.includes('/blobs/')).length
  return {
    pings,
    tokens: tokens.length,
    manifests: manifests.length,
    unauthorized: mine.filter((r) => r.status === 401).length,
    blobs,
    total: mine.length + tokens.length,
  }
}
