import { defineWorkspaceProject } from '../../vitest.shared.ts'

// Building, packing and `npm install` of every package take minutes.
export default defineWorkspaceProject('@watchtower-ts/packaging', { hookTimeout: 600_000 })
