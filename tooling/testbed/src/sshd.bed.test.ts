import { readFile } from 'node:fs/promises'
import { describe, expect, inject, it } from 'vitest'
import { run } from './_util.ts'
import { isolatedEngine, sshEngine } from './index.ts'

const bed = inject('testbed')

describe('sshd', () => {
  it('a real sshd on loopback reaches the isolated engine with the bed-made key only; reused while healthy', async () => {
    const iso = await isolatedEngine(bed)
    const ssh = await sshEngine(bed, iso.host)
    expect(ssh.host).toBe(`ssh://root@127.0.0.1:${ssh.port}`)
    expect(await sshEngine(bed, iso.host)).toEqual(ssh)
    // `docker system dial-stdio` on the far side (what the docker CLI and docker-modem run there)
    // proxies the isolated engine's socket: an HTTP request through ssh gets the engine's answer
    const sshArgs = (identity: string) => [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `IdentityFile=${identity}`,
      '-o',
      `UserKnownHostsFile=${ssh.home}/.ssh/known_hosts`,
      '-p',
      String(ssh.port),
      'root@127.0.0.1',
    ]
    const info = await run(
      'ssh',
      [...sshArgs(`${ssh.home}/.ssh/id_ed25519`), 'ignored: the key forces dial-stdio'],
      {
        input: 'GET /info HTTP/1.0\r\nHost: docker\r\n\r\n',
      },
    )
    expect(info.stdout).toMatch(/^HTTP\/1\.0 200 OK/)
    expect(info.stdout).toContain(`"DockerRootDir":"${iso.dataRoot}"`)
    // host key pinned in known_hosts; a client without the key is refused
    expect(await readFile(`${ssh.home}/.ssh/known_hosts`, 'utf8')).toMatch(
      /^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /,
    )
    const refused = await run(
      'ssh',
      [
        '-F',
        '/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'IdentityFile=/dev/null',
        '-o',
        `UserKnownHostsFile=${ssh.home}/.ssh/known_hosts`,
        '-p',
        String(ssh.port),
        'root@127.0.0.1',
        'true',
      ],
      { env: { ...process.env, HOME: '/nonexistent' } },
    )
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/Permission denied/)
  })
})
