import { defineWorkspaceProject } from '../../vitest.shared.ts'

export default defineWorkspaceProject('@watchtower-ts/image-reference')
