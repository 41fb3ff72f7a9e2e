import { constants, promises as fsp } from 'node:fs'
import type { ReadFileFn } from './config-file.ts'
import { CredentialsError } from './errors.ts'

/** Caps for the files this package reads. */
export const FILE_LIMITS = {
  /** config.json (many `auths` entries stay far below). */
  config: 4 * 1024 * 1024,
  /** `REPO_USER_FILE` / `REPO_PASS_FILE`: a user name or a password. */
  secret: 64 * 1024,
} as const

export interface ReadBoundedFileOptions {
  maxBytes: number
  /** The whole read (open included) must end within this. @default 5000 */
  timeoutMs?: number
}

/**
 * Reads a regular file, at most `maxBytes`, within `timeoutMs`. A FIFO, device, socket or directory
 * is refused at once with a clear error (`O_NONBLOCK`: opening a FIFO never waits for a writer),
 * and so is a file larger than the cap (`/dev/zero` is a device; a 1 GB file is too large).
 *
 * @throws CredentialsError `WT_CREDENTIALS_FILE_UNREADABLE` naming the file and the reason; errors
 *   from `open` (ENOENT, EACCES, ...) are rethrown as they are, for the caller to describe.
 */
export async function readBoundedFile(path: string, options: ReadBoundedFileOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5_000
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CredentialsError(
            'WT_CREDENTIALS_FILE_UNREADABLE',
            `cannot read ${path}: not read within ${timeoutMs} ms`,
            { file: path },
          ),
        ),
      timeoutMs,
    )
    timer.unref?.()
  })
  try {
    return await Promise.race([_read(path, options.maxBytes), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** A {@link ReadFileFn} over {@link readBoundedFile}. */
export function boundedReadFile(maxBytes: number, timeoutMs?: number): ReadFileFn {
  return (path) => readBoundedFile(path, { maxBytes, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
}

// --- internal ---

async function _read(path: string, maxBytes: number): Promise<string> {
  const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = await handle.stat()
    if (!st.isFile()) {
      const kind = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO (named pipe)'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file'
      throw new CredentialsError(
        'WT_CREDENTIALS_FILE_UNREADABLE',
        `cannot read ${path}: it is ${kind}, not a regular file`,
        { file: path },
      )
    }
    const tooLarge = () =>
      new CredentialsError(
        'WT_CREDENTIALS_FILE_UNREADABLE',
        `cannot read ${path}: it is larger than the ${maxBytes}-byte cap for it`,
        { file: path },
      )
    if (st.size > maxBytes) throw tooLarge()
    const chunks: Buffer[] = []
    let size = 0
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - size))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      size += bytesRead
      if (size > maxBytes) throw tooLarge()
      chunks.push(chunk.subarray(0, bytesRead))
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    await handle.close()
  }
}
