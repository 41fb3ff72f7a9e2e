import { defineWorkspaceProject } from '../../vitest.shared.ts'

// These tests build images and drive the real engine.
export default defineWorkspaceProject('@watchtower-ts/image', { testTimeout: 300_000 })
