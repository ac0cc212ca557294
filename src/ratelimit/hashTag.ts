/**
 * Redis Cluster hash tags: every key one script touches must hash to one
 * slot. Every key the limiter writes carries the same tag, {@link LIMITER_TAG},
 * so one script call may decide for many identities (decisionBatch.ts) and
 * still be valid on a cluster. The price is that the limiter's keys live on
 * one node; a batched script there serves tens of thousands of decisions per
 * second (docs/ratelimit.md).
 * @module
 */

/** The hash tag every rate-limit and login-throttle key starts with. */
export const LIMITER_TAG = "{rl}";

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
