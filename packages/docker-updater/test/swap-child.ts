/**
 * Child process for the kill -9 test: runs one update pass against the real engine and, right
 * after the engine call named in argv completes, prints PAUSED and hangs until it is killed.
 */
import { createDockerEngine } from '../src/dockerode-engine.ts'
import type { DockerEngine } from '../src/engine.ts'
import { runUpdate } from '../src/run-update.ts'

const [host = '', name = '', pauseAfter = ''] = process.argv.slice(2)
const inner = createDockerEngine({ host, env: {} })
const engine = { ...inner } as Record<string, unknown>
let listed = false
for (const method of Object.keys(inner) as Array<keyof DockerEngine>) {
  engine[method] = async (...args: unknown[]) => {
    const result = await (inner[method] as (...a: unknown[]) => Promise<unknown>)(...args)
    if (method === 'listContainers') listed = true
    if (listed && method === pauseAfter) {
      process.stdout.write('PAUSED\n')
      await new Promise(() => {})
    }
    return result
  }
}
await runUpdate({
  engine: engine as unknown as DockerEngine,
  names: [name],
  noPull: true,
  stopTimeoutMs: 5000,
})
process.stdout.write('DONE\n')
