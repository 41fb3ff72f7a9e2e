import type { UserInfo } from './types.ts'

/** Fixed test users: alice's password holds a `:` (splitting `user:pass` at the last colon breaks it). */
export const USERS: { alice: UserInfo; bob: UserInfo } = {
  alice: { username: 'alice', password: 'al1ce:Pa55-w0rd' },
  bob: { username: 'bob', password: 'b0b-Pa55-w0rd' },
}
