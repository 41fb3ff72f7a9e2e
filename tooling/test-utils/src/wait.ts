/**
 * Polls `check` every `intervalMs` until it gives a value (not `undefined`; a rejection counts as
 * none) or `timeoutMs` have passed; returns that value, or `undefined` on timeout.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T | undefined> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined || Date.now() > end) return value
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
