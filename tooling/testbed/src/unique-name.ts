import { randomBytes } from 'node:crypto'

let counter = 0

/** A name no other test (or run) uses: lower-case, valid as a repository, tag or container name. */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9._/-]+/g, '-')
  counter += 1
  return `${clean}-${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString('hex')}`
}
