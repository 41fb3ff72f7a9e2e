/**
 * vitest 5 uses a few ES2024 built-ins Node 20 lacks (its reporter calls `Map.groupBy` when it
 * prints a failure). The global setup runs in vitest's main process, so it installs them there.
 */
type GroupBy = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K) => Map<K, T[]>

export function installPolyfills(): void {
  const M = Map as unknown as { groupBy?: GroupBy }
  if (typeof M.groupBy !== 'function') {
    M.groupBy = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
      const out = new Map<K, T[]>()
      let i = 0
      for (const item of items) {
        const k = key(item, i++)
        const list = out.get(k)
        if (list) list.push(item)
        else out.set(k, [item])
      }
      return out
    }
  }
  const O = Object as unknown as {
    groupBy?: (items: Iterable<unknown>, key: (v: unknown, i: number) => PropertyKey) => unknown
  }
  if (typeof O.groupBy !== 'function') {
    O.groupBy = (items, key) => {
      const out: Record<PropertyKey, unknown[]> = Object.create(null)
      let i = 0
      for (const item of items) {
        const k = key(item, i++)
        if (out[k]) out[k].push(item)
        else out[k] = [item]
      }
      return out
    }
  }
  const P = Promise as unknown as { withResolvers?: () => unknown }
  if (typeof P.withResolvers !== 'function') {
    P.withResolvers = () => {
      let resolve: unknown
      let reject: unknown
      const promise = new Promise((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  }
}
