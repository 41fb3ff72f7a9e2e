/** A throwaway `pass` store so the real docker-credential-pass works. */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exists, run, runOk, TestbedError } from './_util.ts'
import type { PassStore } from './types.ts'

export function passPaths(dir: string) {
  return { gnupgHome: join(dir, 'gnupg'), passwordStoreDir: join(dir, 'password-store') }
}

export async function ensurePass(dir: string, previous: PassStore | undefined): Promise<PassStore> {
  const { gnupgHome, passwordStoreDir } = passPaths(dir)
  const env = { GNUPGHOME: gnupgHome, PASSWORD_STORE_DIR: passwordStoreDir }
  const penv = { ...process.env, ...env }
  if (previous?.fingerprint && (await exists(join(passwordStoreDir, '.gpg-id')))) {
    const r = await run('gpg', ['--batch', '--list-secret-keys', previous.fingerprint], { env: penv })
    if (r.code === 0) return { gnupgHome, passwordStoreDir, fingerprint: previous.fingerprint, env }
  }
  await run('gpgconf', ['--kill', 'gpg-agent'], { env: penv }).catch(() => undefined)
  await rm(gnupgHome, { recursive: true, force: true })
  await rm(passwordStoreDir, { recursive: true, force: true })
  await mkdir(gnupgHome, { recursive: true, mode: 0o700 })
  await runOk(
    'gpg',
    [
      '--batch',
      '--passphrase',
      '',
      '--quick-gen-key',
      'watchtower-ts testbed <testbed@example.invalid>',
      'default',
      'default',
      'never',
    ],
    { env: penv },
  )
  const colons = await runOk('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: penv })
  const fingerprint = colons
    .split('\n')
    .find((l) => l.startsWith('fpr:'))
    ?.split(':')[9]
  if (!fingerprint)
    throw new TestbedError('WT_TESTBED_PASS', `no gpg key found in ${gnupgHome} after quick-gen-key`)
  await runOk('pass', ['init', fingerprint], { env: penv })
  await writeFile(
    join(dir, 'pass.env'),
    `${Object.entries(env)
      .map(([k, v]) => `export ${k}=${v}`)
      .join('\n')}\n`,
  )
  return { gnupgHome, passwordStoreDir, fingerprint, env }
}
