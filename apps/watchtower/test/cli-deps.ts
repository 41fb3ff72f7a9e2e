// The CLI's injected dependencies for in-process tests: captured output, a fixed clock.
import type { CliDeps, OutputStream } from '../src/deps.ts'

export interface Captured extends OutputStream {
  text: string
}

export function capture(): Captured {
  const c: Captured = {
    text: '',
    write(chunk: string) {
      c.text += chunk
      return true
    },
  }
  return c
}

export function testDeps(overrides: Partial<CliDeps> = {}): CliDeps & { stdout: Captured; stderr: Captured } {
  return {
    stdout: capture(),
    stderr: capture(),
    env: {},
    now: () => Date.UTC(2026, 0, 1),
    sleep: async () => {},
    hostname: 'testhost',
    pid: 4242,
    version: '9.9.9',
    readSecretFile: () => undefined,
    onShutdown: () => () => {},
    // not inside a container, whatever this machine is: the daemon keeps no default heartbeat file
    inContainer: false,
    ...overrides,
  } as CliDeps & { stdout: Captured; stderr: Captured }
}
