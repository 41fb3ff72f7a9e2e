import { defineWorkspaceProject } from '../../vitest.shared.ts'

// The demo builds the CLI and drives the real engine.
export default defineWorkspaceProject('@watchtower-ts/demo', { testTimeout: 300_000 })
