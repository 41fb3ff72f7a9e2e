// Test helpers shared by the packages' tests. Private: never built, never published; only test
// files (and helpers in a package's test/ folder) import it.
export { freePort, type RunOptions, type RunResult, runProcess } from '@watchtower-ts/testbed'
export { expectGeneratedSection } from './docs.ts'
export { makePki, type Pki } from './pki.ts'
export { tempDir, useTempDirs } from './temp.ts'
export { waitFor } from './wait.ts'

/** The value of a `Basic` authorization (and of config.json's `auth`): base64 of `user:password`. */
export const basicAuth = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64')
