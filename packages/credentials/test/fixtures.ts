import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { useTempDirs } from '@watchtower-ts/test-utils'
import { expect } from 'vitest'

/** Real temp folders, removed after each test. */
export const useTmp = (): (() => Promise<string>) => useTempDirs('cred')

/** Write config.json into `dir` (an object is JSON-encoded). */
export async function writeConfig(dir: string, config: unknown): Promise<string> {
  const file = join(dir, 'config.json')
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2))
  return file
}

/** A `docker-credential-<name>` shell script in `dir` (put `dir` on the injected PATH). */
export async function writeHelper(dir: string, name: string, body: string): Promise<string> {
  const file = join(dir, `docker-credential-${name}`)
  await writeFile(file, `#!/bin/sh\n${body}\n`)
  await chmod(file, 0o755)
  return file
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** Every way a value can be shown: String, inspect (deep, hidden), JSON, and for errors the cause chain. */
export function renderings(value: unknown): string[] {
  const out = [String(value), inspect(value, { depth: 20, showHidden: true }), inspect(value, { depth: 20 })]
  try {
    out.push(JSON.stringify(value) ?? '')
  } catch {
    // circular: inspect covers it
  }
  let cause: unknown = value
  while (cause instanceof Error) {
    out.push(cause.message, cause.stack ?? '', JSON.stringify(Object.assign({}, cause)))
    cause = cause.cause
  }
  return out
}

export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  for (const text of renderings(value)) {
    for (const secret of secrets) expect(text, `leaked ${JSON.stringify(secret)}`).not.toContain(secret)
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a rejection')
}
