import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import Docker from 'dockerode'
import { compareApiVersions, parseDockerHost } from './_docker-host.ts'
import { sshAgent } from './_ssh-agent.ts'
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  EndpointSettings,
  EngineVersion,
  ExecResult,
  ImageInspect,
  PullMessage,
  ServiceInspect,
  SwarmInfo,
  TaskInspect,
} from './engine.ts'
import { UpdaterError } from './errors.ts'

/** Highest engine API version this package speaks; the daemon's own is used when lower. */
export const MAX_API_VERSION = '1.47'

export interface CreateDockerEngineOptions {
  /** Engine address (`unix:///var/run/docker.sock`, `tcp://127.0.0.1:2376`). @default env.DOCKER_HOST */
  host?: string
  /** Environment to read DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
  /** Force an API version (no negotiation). @default env.DOCKER_API_VERSION, else negotiated */
  apiVersion?: string
  /** Reads the TLS files (ca.pem, cert.pem, key.pem). @default fs.readFileSync */
  readFile?: (path: string) => Buffer
  /** Socket timeout for one request, ms; 0 = none. @default 0 */
  timeoutMs?: number
  /**
   * How an `ssh://` engine is logged into (the caller reads keys from the usual places; this
   * package reads no files for it). Without `privateKey` and `agent` the connection is refused.
   */
  ssh?: SshOptions
}

/** Login to an `ssh://` engine (passed to ssh2; the key is never printed). */
export interface SshOptions {
  /** A private key (OpenSSH or PEM). */
  privateKey?: Buffer | string
  /** Path of an ssh-agent socket (SSH_AUTH_SOCK). */
  agent?: string
  /** Accepts or refuses the host's key (raw key blob); without it every host key is accepted. */
  hostVerifier?: (key: Buffer) => boolean
  /** Connection (handshake) timeout, ms. @default 20000 */
  readyTimeoutMs?: number
}

/**
 * A `DockerEngine` over dockerode. The API version is negotiated on first use: the daemon's
 * `/version` is read unversioned and requests then use min(daemon's ApiVersion, MAX_API_VERSION),
 * so an old daemon (20.10 = 1.41) and a new one (29 = min 1.44) both work.
 */
export function createDockerEngine(options: CreateDockerEngineOptions = {}): DockerEngine {
  const env = options.env ?? process.env
  const readFile = options.readFile ?? ((path: string) => readFileSync(path))
  const connection = parseDockerHost(options.host, env)
  // Every field set explicitly: docker-modem merges its own process.env defaults underneath.
  const modemOptions: Docker.DockerOptions =
    connection.kind === 'unix'
      ? { socketPath: connection.socketPath, host: undefined, port: undefined, protocol: undefined }
      : connection.kind === 'ssh'
        ? sshModemOptions(connection, options.ssh)
        : {
            socketPath: undefined,
            host: connection.host,
            port: connection.port,
            protocol: connection.tls ? 'https' : 'http',
            ...(connection.tls
              ? readTlsFiles(connection.certPath, readFile)
              : { ca: undefined, cert: undefined, key: undefined }),
          }
  if (options.timeoutMs) modemOptions.timeout = options.timeoutMs
  const docker = new Docker({ ...modemOptions, version: undefined } as Docker.DockerOptions)
  const sshLogin = (modemOptions as { agent?: { destroySsh?: () => void } }).agent
  const modem = docker.modem as { version?: string }
  const forced = options.apiVersion ?? (env.DOCKER_API_VERSION || undefined)
  let negotiated: Promise<string> | undefined

  const negotiate = (): Promise<string> => {
    negotiated ??= (async () => {
      if (forced !== undefined) {
        modem.version = `v${forced.replace(/^v/, '')}`
        return forced.replace(/^v/, '')
      }
      const v = await call('version', undefined, () => docker.version() as Promise<EngineVersion>)
      let chosen = compareApiVersions(v.ApiVersion, MAX_API_VERSION) < 0 ? v.ApiVersion : MAX_API_VERSION
      // A daemon that no longer accepts our highest version: speak its minimum.
      if (v.MinAPIVersion && compareApiVersions(chosen, v.MinAPIVersion) < 0) chosen = v.MinAPIVersion
      modem.version = `v${chosen}`
      return chosen
    })().catch((error: unknown) => {
      negotiated = undefined
      throw error
    })
    return negotiated
  }
  const run = async <T>(operation: string, target: string | undefined, fn: () => Promise<T>): Promise<T> => {
    await negotiate()
    return call(operation, target, fn)
  }

  return {
    async close() {
      sshLogin?.destroySsh?.()
    },
    version: () => call('version', undefined, () => docker.version() as Promise<EngineVersion>),
    apiVersion: negotiate,
    listContainers: (opts = {}) =>
      run('listContainers', undefined, () =>
        docker.listContainers({
          all: opts.all ?? opts.statuses !== undefined,
          ...(opts.statuses ? { filters: JSON.stringify({ status: opts.statuses }) } : {}),
        }),
      ) as Promise<ContainerSummary[]>,
    inspectContainer: (id) =>
      run(
        'inspectContainer',
        id,
        () => docker.getContainer(id).inspect() as Promise<unknown>,
      ) as Promise<ContainerInspect>,
    inspectImage: (ref) =>
      run(
        'inspectImage',
        ref,
        () => docker.getImage(ref).inspect() as Promise<unknown>,
      ) as Promise<ImageInspect>,
    pullImage: (ref, opts = {}) =>
      run('pullImage', ref, async () => {
        const stream = (await docker.createImage(
          opts.auth === undefined ? undefined : { base64: opts.auth },
          {
            fromImage: ref,
          } as Record<string, unknown>,
        )) as Readable
        await new Promise<void>((resolve, reject) => {
          const onProgress = opts.onProgress
          docker.modem.followProgress(
            stream,
            (error: Error | null) => (error ? reject(error) : resolve()),
            onProgress &&
              ((message: unknown) => {
                // A throwing listener must not break the pull.
                try {
                  if (message && typeof message === 'object') onProgress(message as PullMessage)
                } catch {}
              }),
          )
        })
      }),
    createContainer: (name, body) =>
      run('createContainer', name, async () => {
        const container = await docker.createContainer({ ...body, name } as Docker.ContainerCreateOptions)
        return container.id
      }),
    startContainer: (id) =>
      run('startContainer', id, () => docker.getContainer(id).start()).then(() => undefined),
    killContainer: (id, signal) =>
      run('killContainer', id, () => docker.getContainer(id).kill({ signal })).then(() => undefined),
    renameContainer: (id, name) =>
      run('renameContainer', id, () => docker.getContainer(id).rename({ name })).then(() => undefined),
    removeContainer: (id, opts = {}) =>
      run('removeContainer', id, () =>
        docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }),
      ).then(() => undefined),
    connectNetwork: (network, containerId, endpoint?: EndpointSettings) =>
      run('connectNetwork', `${containerId} → ${network}`, () =>
        docker.getNetwork(network).connect({
          Container: containerId,
          EndpointConfig: (endpoint ?? {}) as Docker.EndpointSettings,
        }),
      ).then(() => undefined),
    disconnectNetwork: (network, containerId, force = false) =>
      run('disconnectNetwork', `${containerId} → ${network}`, () =>
        docker.getNetwork(network).disconnect({ Container: containerId, Force: force }),
      ).then(() => undefined),
    removeImage: (id, opts = {}) =>
      run('removeImage', id, () => docker.getImage(id).remove({ force: opts.force ?? false })).then(
        () => undefined,
      ),
    exec: (id, cmd, opts = {}) => run('exec', id, () => execIn(docker, id, cmd, opts)),
    swarmInfo: () =>
      run('info', undefined, async () => {
        const info = (await docker.info()) as { Swarm?: Partial<SwarmInfo> }
        return {
          ...info.Swarm,
          LocalNodeState: info.Swarm?.LocalNodeState ?? 'inactive',
          ControlAvailable: info.Swarm?.ControlAvailable ?? false,
        }
      }),
    listServices: () =>
      run('listServices', undefined, () => docker.listServices() as Promise<unknown>) as Promise<
        ServiceInspect[]
      >,
    inspectService: (id) =>
      run(
        'inspectService',
        id,
        () => docker.getService(id).inspect() as Promise<unknown>,
      ) as Promise<ServiceInspect>,
    updateService: (id, version, spec, opts = {}) =>
      run('updateService', id, async () => {
        // X-Registry-Auth only when there are credentials; the body is the whole spec, the version a query.
        const body = { _query: { version }, _body: spec }
        const service = docker.getService(id) as unknown as {
          update(auth: { base64: string } | undefined, opts: object): Promise<{ Warnings?: string[] | null }>
        }
        const r = await service.update(opts.auth === undefined ? undefined : { base64: opts.auth }, body)
        return r?.Warnings ?? []
      }),
    listTasks: (serviceId) =>
      run('listTasks', serviceId, () =>
        docker.listTasks({ filters: JSON.stringify({ service: [serviceId] }) } as object),
      ) as Promise<TaskInspect[]>,
  }
}

function sshModemOptions(
  c: { host: string; port: number; username: string },
  ssh: SshOptions | undefined,
): Docker.DockerOptions {
  if (!ssh?.privateKey && !ssh?.agent) {
    throw new UpdaterError(
      'WT_UPDATER_DOCKER_HOST_INVALID',
      `ssh://${c.username}@${c.host}:${c.port}: no private key and no ssh-agent to log in with`,
    )
  }
  const agent = sshAgent({
    host: c.host,
    port: c.port,
    username: c.username,
    ...(ssh.privateKey ? { privateKey: ssh.privateKey } : {}),
    ...(ssh.agent ? { agent: ssh.agent } : {}),
    ...(ssh.hostVerifier ? { hostVerifier: ssh.hostVerifier } : {}),
    readyTimeout: ssh.readyTimeoutMs ?? 20_000,
    keepaliveInterval: 15_000,
  })
  // Plain HTTP over the agent's dial-stdio channels (the host name is never resolved).
  return {
    socketPath: undefined,
    protocol: 'http',
    host: 'docker',
    port: 80,
    agent,
  } as Docker.DockerOptions
}

function readTlsFiles(
  certPath: string,
  readFile: (path: string) => Buffer,
): { ca: Buffer; cert: Buffer; key: Buffer } {
  const read = (file: string): Buffer => {
    const path = `${certPath.replace(/\/$/, '')}/${file}`
    try {
      return readFile(path)
    } catch (cause) {
      throw new UpdaterError(
        'WT_UPDATER_DOCKER_HOST_INVALID',
        `cannot read ${path} (DOCKER_CERT_PATH, needed because DOCKER_TLS_VERIFY is set)`,
        { cause },
      )
    }
  }
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') }
}

async function execIn(
  docker: Docker,
  id: string,
  cmd: readonly string[],
  opts: { timeoutMs?: number; user?: string },
): Promise<ExecResult> {
  const exec = await docker.getContainer(id).exec({
    Cmd: [...cmd],
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    ...(opts.user ? { User: opts.user } : {}),
  })
  const stream = (await exec.start({ Detach: false, Tty: false })) as Readable
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise<boolean>((resolve) => {
    stream.on('end', () => resolve(true))
    stream.on('close', () => resolve(true))
    stream.on('error', () => resolve(true))
  })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    if (opts.timeoutMs) timer = setTimeout(() => resolve(false), opts.timeoutMs)
  })
  const finished = await Promise.race([ended, timeout])
  if (timer) clearTimeout(timer)
  if (!finished) stream.destroy()
  const info = await exec.inspect()
  const output = demux(Buffer.concat(chunks))
  if (!finished && info.Running) return { exitCode: null, output, timedOut: true }
  return { exitCode: info.ExitCode ?? null, output, timedOut: false }
}

/** Strips the 8-byte stdout/stderr frame headers of a non-TTY attach stream. */
function demux(buffer: Buffer): string {
  const out: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4)
    out.push(buffer.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return Buffer.concat(out).toString('utf8')
}

async function call<T>(operation: string, target: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    throw toEngineError(operation, target, cause)
  }
}

function toEngineError(operation: string, target: string | undefined, cause: unknown): UpdaterError {
  const status = (cause as { statusCode?: unknown }).statusCode
  const statusCode = typeof status === 'number' ? status : undefined
  const json = (cause as { json?: { message?: unknown } }).json
  const detail =
    json && typeof json.message === 'string'
      ? json.message
      : cause instanceof Error
        ? cause.message
        : String(cause)
  const code =
    statusCode === 404
      ? 'WT_UPDATER_ENGINE_NOT_FOUND'
      : statusCode === 409
        ? 'WT_UPDATER_ENGINE_CONFLICT'
        : 'WT_UPDATER_ENGINE'
  const where = target === undefined ? '' : ` (${target})`
  return new UpdaterError(
    code,
    `engine ${operation}${where} failed${statusCode ? ` with ${statusCode}` : ''}: ${detail}`,
    {
      operation,
      statusCode,
      cause,
    },
  )
}
