// A plain byte forwarder (no TLS termination, nothing parsed): every connection accepted on LISTEN
// is piped to TARGET. Each is a unix socket path (starting with `/`) or `127.0.0.1:PORT` (loopback
// only). The bed runs one inside an isolated engine's network namespace (unix socket file → the
// engine's TLS port there) and one on the host (127.0.0.1:PORT → that socket file): unix socket
// files cross network namespaces, so the host reaches dockerd's own --tlsverify listener.
// Usage: node byte-forward.mjs LISTEN TARGET
import { rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'

const [listen, target] = process.argv.slice(2)
const where = (s) => {
  if (s?.startsWith('/')) return { path: s }
  const m = /^127\.0\.0\.1:(\d+)$/.exec(s ?? '')
  if (!m) throw new Error(`byte-forward: ${s} is neither a socket path nor 127.0.0.1:PORT`)
  return { host: '127.0.0.1', port: Number(m[1]) }
}
const from = where(listen)
const to = where(target)

const server = createServer((client) => {
  const upstream = connect(to)
  client.pipe(upstream).pipe(client)
  client.on('error', () => upstream.destroy())
  upstream.on('error', () => client.destroy())
})
if (from.path) rmSync(from.path, { force: true })
server.listen(from, () => console.log(`byte-forward: ${listen} → ${target}`))
const stop = () => {
  server.close()
  if (from.path) rmSync(from.path, { force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
