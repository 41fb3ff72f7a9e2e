import { defineWorkspaceProject } from '../../vitest.shared.ts'

export default defineWorkspaceProject('@watchtower-ts/registry-client', { testTimeout: 60_000 })
