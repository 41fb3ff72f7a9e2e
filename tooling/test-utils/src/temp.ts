// Temp folders that the test which made them removes: `tempDir` when its test file is done,
// `useTempDirs` after each test. Nothing is left in the system temp folder.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach } from 'vitest'

const perFile: string[] = []

// Registered when a test file first imports this module (vitest evaluates it once per file).
afterAll(() => removeAll(perFile))

function removeAll(dirs: string[]): Promise<unknown> {
  return Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
}

function make(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `wt-${prefix}-`))
}

/** A temp folder (`$TMPDIR/wt-<prefix>-XXXXXX`), removed when the test file that asked for it is done. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await make(prefix)
  perFile.push(dir)
  return dir
}

/**
 * Registers an `afterEach` that removes the folders made during the test; returns the maker.
 * Call it at the top of a test file or a `describe`.
 */
export function useTempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = []
  afterEach(() => removeAll(dirs))
  return async () => {
    const dir = await make(prefix)
    dirs.push(dir)
    return dir
  }
}
