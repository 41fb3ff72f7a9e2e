/** One update at a time, shared by the scheduler and the HTTP API (upstream's 1-slot lock). */
export interface SessionLock {
  readonly busy: boolean
  /** Runs `fn` if nothing is running; otherwise returns `skipped` at once. */
  tryRun<T>(fn: () => Promise<T>): Promise<{ skipped: true } | { skipped: false; value: T }>
  /** Waits its turn (FIFO), then runs `fn`. */
  run<T>(fn: () => Promise<T>): Promise<T>
  /** Resolves when nothing is running or queued. */
  idle(): Promise<void>
}

export function createSessionLock(): SessionLock {
  let tail: Promise<unknown> = Promise.resolve()
  let active = 0
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    active++
    const p = tail.then(fn).finally(() => {
      active--
    })
    tail = p.catch(() => {})
    return p
  }
  return {
    get busy() {
      return active > 0
    },
    async tryRun(fn) {
      if (active > 0) return { skipped: true }
      return { skipped: false, value: await run(fn) }
    },
    run,
    async idle() {
      while (active > 0) await tail
    },
  }
}
