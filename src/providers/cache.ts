/**
 * A bounded in-memory response cache (insertion-ordered LRU). It serves
 * fresh hits within a short per-operation TTL and, when a provider fails,
 * recent answers marked stale within PROVIDER_CACHE_TTL.
 *
 * Bounded by entries and by items: a list answer weighs its length (a bar, a
 * news item), anything else 1. An entry count alone let 2 000 answers of
 * 10 000 bars each hold gigabytes. Each operation has its own budget
 * ({@link OperationCaches}): twenty 10 000-bar answers, which any viewer can
 * ask for, must not evict the quote a failing provider's callers fall back to.
 * @module
 */

/** A cached answer and when it was fetched. */
export interface CacheEntry<T> {
  data: T;
  storedAt: number;
}

interface Stored extends CacheEntry<unknown> {
  weight: number;
}

/** Items an answer weighs: its length when it is a list, else 1. */
const weightOf = (data: unknown): number => (Array.isArray(data) ? Math.max(1, data.length) : 1);

/** Key → last good answer. */
export class ResponseCache {
  private readonly entries = new Map<string, Stored>();
  private weight = 0;

  /**
   * @param maxEntries Answers kept at most.
   * @param maxItems Items kept at most across answers (~200 bytes a bar: 200 000 is ~40 MB).
   */
  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxItems = 200_000,
  ) {}

  get<T>(key: string): CacheEntry<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry as CacheEntry<T>;
  }

  set<T>(key: string, data: T, storedAt: number): void {
    const weight = weightOf(data);
    this.remove(key);
    if (weight > this.maxItems) return; // larger than the whole cache: not kept
    this.entries.set(key, { data, storedAt, weight });
    this.weight += weight;
    while (this.entries.size > this.maxEntries || this.weight > this.maxItems) {
      this.remove(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Items held across answers. */
  get items(): number {
    return this.weight;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }
}

/** The budget of an operation not listed in {@link CACHE_BUDGETS}. */
const DEFAULT_BUDGET = { entries: 2_000, items: 200_000 };

/**
 * Entries and items each operation may keep. Bars are ~200 B an item; a news item ~1 KB and at
 * most ~5 KB after plausible.ts cuts its text, so 5 000 items hold 25 MB at worst.
 */
export const CACHE_BUDGETS: Readonly<Record<string, { entries: number; items: number }>> = {
  quote: { entries: 2_000, items: 2_000 },
  sentiment: { entries: 2_000, items: 2_000 },
  bars: { entries: 2_000, items: 200_000 },
  news: { entries: 2_000, items: 5_000 },
};

/** One {@link ResponseCache} per operation, each within its own budget. */
export class OperationCaches {
  private readonly caches = new Map<string, ResponseCache>();

  constructor(private readonly budgets = CACHE_BUDGETS) {}

  /** The cache of `operation`, created on first use. */
  for(operation: string): ResponseCache {
    let cache = this.caches.get(operation);
    if (!cache) {
      const budget = this.budgets[operation] ?? DEFAULT_BUDGET;
      cache = new ResponseCache(budget.entries, budget.items);
      this.caches.set(operation, cache);
    }
    return cache;
  }
}
