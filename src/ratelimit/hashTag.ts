/**
 * Redis Cluster hash tags: every key one script touches must hash to one
 * slot, so the keys of one decision share a `{tag}`.
 * @module
 */

/** The hash tag of `key` per the Redis Cluster rules (first non-empty `{…}`), or the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  if (open === -1) return key;
  const close = key.indexOf("}", open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** Throws a TypeError unless every key shares one hash tag (a programming error). */
export function assertSameSlot(keys: string[]): void {
  const first = keys[0];
  if (first === undefined || keys.length === 1) return;
  const tag = hashTagOf(first);
  for (const key of keys) {
    if (hashTagOf(key) !== tag) {
      throw new TypeError("rate-limit keys of one decision must share a {hash tag}");
    }
  }
}
