/**
 * The two compose clients the compose example is tested with: Debian bookworm's `docker-compose`
 * 1.29 (Python; the bed installs it) and Compose v2 from Debian trixie's `docker-compose` package
 * (2.26, a static Go binary), fetched with a private apt state and unpacked into the cache,
 * nothing installed.
 */
import { access, mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { runOk } from './_run.ts'
import { defaultCacheDir, downloadPackages } from './debian.ts'

export interface ComposeClient {
  name: string
  bin: string
  /** Compose v1 names containers `project_service_1`, v2 `project-service-1`. */
  separator: '_' | '-'
}

export const COMPOSE_V1: ComposeClient = {
  name: 'docker-compose 1.29 (Debian bookworm)',
  bin: 'docker-compose',
  separator: '_',
}

export async function composeV2(): Promise<ComposeClient> {
  const [deb] = await downloadPackages('amd64', ['docker-compose'], { suite: 'trixie' })
  if (!deb) throw new Error('no docker-compose package in trixie')
  const dir = join(defaultCacheDir('trixie'), 'unpacked', `docker-compose_${deb.version}`)
  const bin = join(dir, 'usr/libexec/docker/cli-plugins/docker-compose')
  const have = await access(bin).then(
    () => true,
    () => false,
  )
  if (!have) {
    const tmp = `${dir}.tmp-${process.pid}`
    await mkdir(tmp, { recursive: true })
    await runOk('dpkg-deb', ['-x', deb.deb, tmp])
    await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }))
  }
  return { name: `Compose v2 ${deb.version} (Debian trixie)`, bin, separator: '-' }
}
