import type { Agent } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Client, ConnectConfig } from 'ssh2'

// node:http through getBuiltinModule: an ES import of it makes Node read every export, which loads
// its bundled fetch (about 30 ms of start-up) that no engine call uses.
const http = process.getBuiltinModule('node:http')

/**
 * An http.Agent whose connections are `docker system dial-stdio` channels of one ssh connection,
 * as the docker CLI reaches an `ssh://` engine: one login, kept; each HTTP connection (kept alive
 * and reused) is one dial-stdio process on the host. docker-modem's own ssh transport logs in and
 * starts the docker CLI anew for every request (seconds each).
 */
export function sshAgent(config: ConnectConfig): Agent & { destroySsh(): void } {
  let client: Promise<Client> | undefined
  const connectOnce = () =>
    (client ??= import('ssh2').then(
      ({ Client: SshClient }) =>
        new Promise<Client>((resolve, reject) => {
          // ssh2 (about 0.4 MB) is loaded by the first ssh:// connection only
          const c = new SshClient()
          c.once('ready', () => resolve(c))
          c.once('error', (error) => {
            client = undefined
            reject(error)
          })
          c.once('close', () => {
            client = undefined
          })
          c.connect(config)
        }),
    ))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 }) as Agent & { destroySsh(): void }
  const create = (_options: unknown, callback: (error: Error | null, socket?: Duplex) => void) => {
    connectOnce().then(
      (c) =>
        c.exec('docker system dial-stdio', (error, channel) => {
          if (error) return callback(error)
          // What http.Agent calls on a kept socket; a channel has none of it.
          const socket = channel as unknown as Record<string, unknown>
          for (const m of ['setKeepAlive', 'setNoDelay', 'ref', 'unref']) socket[m] ??= () => socket
          socket.setTimeout ??= () => socket
          callback(null, channel)
        }),
      (error: Error) => callback(error),
    )
    return undefined
  }
  ;(agent as unknown as { createConnection: typeof create }).createConnection = create
  agent.destroySsh = () => {
    agent.destroy()
    void client?.then((c) => c.end()).catch(() => {})
  }
  return agent
}
