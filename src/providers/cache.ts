/**
 * A bounded in-memory response cache (insertion-ordered LRU). It serves
 * fresh hits within a short per-operation TTL and, when a provider fails,
 * recent answers marked stale within PROVIDER_CACHE_TTL.
 * @module
 */

/** A cached answer and when it was fetched. */
export interface CacheEntry<T> {
  data: T;
  storedAt: number;
}

/** Key → last good answer. */
export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry<unknown>>();

  constructor(private readonly maxEntries = 2_000) {}

  get<T>(key: string): CacheEntry<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry as CacheEntry<T>;
  }

  set<T>(key: string, data: T, storedAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { data, storedAt });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
