import { describe, expect, it } from 'vitest'
import { parseBenchArgs } from './_args.ts'

describe('pnpm bench flags', () => {
  it('defaults: N=40 over U=8, every benchmark but the profile (fleet included), scale 200 and 500 over 50, build first, table', () => {
    expect(parseBenchArgs([])).toEqual({
      via: 'auto',
      json: false,
      help: false,
      containers: 40,
      repos: 8,
      repeats: 3,
      updates: 5,
      startupRuns: 10,
      cycles: 100,
      only: ['cycle', 'scale', 'update', 'startup', 'footprint', 'image', 'policies', 'fleet'],
      scale: [200, 500],
      scaleRepos: 50,
      profileDir: undefined,
      build: true,
      writeResults: false,
    })
  })

  it('scales up to 500 containers, picks benchmarks, JSON', () => {
    const a = parseBenchArgs(['--json', '--containers', '500', '--repos', '50', '--only', 'cycle,footprint'])
    expect(a).toMatchObject({ json: true, containers: 500, repos: 50, only: ['cycle', 'footprint'] })
    expect(parseBenchArgs(['--only', 'scale,profile', '--scale', '500,100'])).toMatchObject({
      only: ['scale', 'profile'],
      scale: [100, 500],
    })
  })

  it('names the flag and the value it refuses', () => {
    expect(() => parseBenchArgs(['--containers', '501'])).toThrow(
      '--containers must be a whole number from 1 to 500, got "501"',
    )
    expect(() => parseBenchArgs(['--repos', 'x'])).toThrow(
      '--repos must be a whole number from 1 to 500, got "x"',
    )
    expect(() => parseBenchArgs(['--only', 'cycle,speed'])).toThrow('--only: unknown benchmark "speed"')
    expect(() => parseBenchArgs(['--via', 'go'])).toThrow('--via must be auto, cli or packages, got "go"')
    expect(() => parseBenchArgs(['--contaners', '3'])).toThrow(/contaners/)
  })
})
