/**
 * A real OpenSSH server on loopback giving `ssh://` access to an engine of the bed, as a fleet
 * manager reaches a remote host: Debian's sshd on its own port, a host key and a client key made
 * for the bed, one authorized key whose forced command is `docker system dial-stdio` against the
 * engine (what the docker CLI and docker-modem run on the remote side). The client side is a HOME
 * folder with `.ssh/id_ed25519` and `.ssh/known_hosts`, handed to the process under test.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import {
  exists,
  pickPort,
  pidAlive,
  runOk,
  spawnDetached,
  stopPid,
  TestbedError,
  waitFor,
  withLock,
} from './_util.ts'
import type { Testbed } from './types.ts'

const SSHD = '/usr/sbin/sshd'
const PROC_SSHD = /sshd/

export interface SshEngine {
  /** DOCKER_HOST value: `ssh://root@127.0.0.1:PORT`. */
  host: string
  port: number
  /** A HOME folder whose `.ssh` holds the client key and known_hosts (give it as HOME). */
  home: string
  /** The engine the forced command reaches (`unix://…`). */
  target: string
  logFile: string
}

interface SshdState extends SshEngine {
  pid: number
}

const root = (dir: string) => join(dir, 'sshd')
const stateFile = (dir: string) => join(root(dir), 'state.json')

async function readSshd(dir: string): Promise<SshdState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as SshdState
  } catch {
    return undefined
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('data', (d) => {
      s.destroy()
      resolve(d.toString().startsWith('SSH-2.0-'))
    })
    s.once('error', () => resolve(false))
    s.setTimeout(3000, () => {
      s.destroy()
      resolve(false)
    })
  })
}

/**
 * Starts (once per bed folder and target engine) an sshd on 127.0.0.1 whose one key reaches
 * `target` (a `unix://` DOCKER_HOST of the bed). Fails loudly when openssh-server is missing.
 */
export function ensureSshEngine(bed: Testbed, target: string): Promise<SshEngine> {
  const dir = bed.dir
  return withLock(dir, 'sshd', async () => {
    const prev = await readSshd(dir)
    if (prev && prev.target === target && pidAlive(prev.pid, PROC_SSHD) && (await answers(prev.port))) {
      const { pid: _pid, ...engine } = prev
      return engine
    }
    if (prev) await stopPid(prev.pid, PROC_SSHD)
    if (!(await exists(SSHD)))
      throw new TestbedError(
        'WT_TESTBED_SSHD',
        `${SSHD} is missing: the bed installs Debian's openssh-server at start (apt-get install -y openssh-server)`,
      )
    const base = root(dir)
    await rm(base, { recursive: true, force: true })
    const home = join(base, 'home')
    const sshDir = join(home, '.ssh')
    await mkdir(sshDir, { recursive: true, mode: 0o700 })
    // sshd's privilege separation folder (made by the Debian service script, which the bed never runs)
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
    const hostKey = join(base, 'host_ed25519')
    const clientKey = join(sshDir, 'id_ed25519')
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'wt-testbed-host', '-f', hostKey])
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'wt-testbed-client', '-f', clientKey])
    const port = await pickPort(undefined)
    const socket = target.replace(/^unix:\/\//, '')
    const forced = `command="DOCKER_HOST=unix://${socket} exec /usr/bin/docker system dial-stdio",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding`
    const clientPub = (await readFile(`${clientKey}.pub`, 'utf8')).trim()
    const authorized = join(base, 'authorized_keys')
    await writeFile(authorized, `${forced} ${clientPub}\n`, { mode: 0o600 })
    const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ')
    await writeFile(join(sshDir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`, { mode: 0o600 })
    const config = join(base, 'sshd_config')
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(base, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    )
    await runOk(SSHD, ['-t', '-f', config])
    const logFile = join(base, 'sshd.log')
    const pid = spawnDetached(SSHD, ['-D', '-e', '-f', config], { logFile })
    await waitFor('sshd', () => answers(port), { logFile, alive: () => pidAlive(pid) })
    const engine: SshEngine = { host: `ssh://root@127.0.0.1:${port}`, port, home, target, logFile }
    await writeFile(stateFile(dir), JSON.stringify({ ...engine, pid }))
    return engine
  })
}

/** Stops the bed's sshd (`testbed down`). */
export async function stopSshd(dir: string): Promise<void> {
  const prev = await readSshd(dir)
  if (prev) await stopPid(prev.pid, PROC_SSHD)
  await rm(stateFile(dir), { force: true })
}
