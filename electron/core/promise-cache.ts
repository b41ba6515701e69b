/**
 * The promise kept under `key` in `cache`, started by `load` on first use so that callers at once
 * share one load; a failed one is forgotten, so the next use tries again rather than failing
 * forever (the activity log's per-mailbox counts, the embedded store's collections).
 */
export function cachedUntilFailure<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let pending = cache.get(key);
  if (!pending) {
    pending = load();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
