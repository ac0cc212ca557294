/**
 * In-process memory of keys known to be over their limit. A key rejected by
 * the store is rejected locally, with zero Redis commands — a flood on one
 * key costs the store one command a second. Bounded: under IP rotation the
 * oldest entries go first, and a forgotten entry only means one more question
 * to Redis, never a wrong admission.
 *
 * Held for at most a second, not until the retry time: a key deleted in Redis
 * (an operator lifting a lockout, the admin reset) must be let through by
 * every instance soon after, not up to a lockout's 180 s later (operator probe).
 * @module
 */
import type { Clock } from "../clock/index.ts";

/** How long a refusal is answered locally before the store is asked again. */
const HOLD_MS = 1000;

interface BlockedEntry {
  /** Local clock instant when the store will admit again. */
  untilMs: number;
  /** Local clock instant after which the store is asked again (a reset may have lifted it). */
  recheckAtMs: number;
  /** Local clock instant when the bucket is full again (the `t` of the RateLimit header). */
  fullAtMs: number;
  /** Cost of the rejected request; a cheaper request may still fit. */
  cost: number;
  name: string;
  limit: number;
  windowMs: number;
}

/** A hit: the limit that is known to reject, and for how long. */
export interface BlockedHit {
  key: string;
  name: string;
  limit: number;
  windowMs: number;
  retryAfterMs: number;
  /** Until the bucket is full again, as the store said when it rejected (minus the time since). */
  resetMs: number;
}

/** The bounded blocked-key cache. */
export class BlockedKeys {
  private readonly entries = new Map<string, BlockedEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Remembers that `key` rejects requests of `cost` or more for `retryAfterMs`, its bucket
   * being full again after `resetMs`.
   */
  add(
    key: string,
    entry: Omit<BlockedEntry, "untilMs" | "recheckAtMs" | "fullAtMs">,
    retryAfterMs: number,
    resetMs: number,
  ): void {
    const now = this.clock.now();
    this.entries.delete(key);
    this.entries.set(key, {
      ...entry,
      untilMs: now + retryAfterMs,
      recheckAtMs: now + Math.min(retryAfterMs, HOLD_MS),
      fullAtMs: now + resetMs,
    });
    if (this.entries.size > this.maxKeys) this.shrink();
  }

  /** The first of `keys` known to reject a request of `cost`, if any. */
  find(
    keys: Array<{ key: string; cost: number; limit: number; windowMs: number }>,
  ): BlockedHit | undefined {
    if (this.entries.size === 0) return undefined;
    const now = this.clock.now();
    for (const { key, cost, limit: askedLimit, windowMs: askedWindow } of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (entry.recheckAtMs <= now) {
        this.entries.delete(key);
        continue;
      }
      if (cost < entry.cost) continue;
      // Refused under another policy (a limit changed since): only the store can tell.
      if (entry.limit !== askedLimit || entry.windowMs !== askedWindow) continue;
      const { name, limit, windowMs } = entry;
      return {
        key,
        name,
        limit,
        windowMs,
        retryAfterMs: entry.untilMs - now,
        resetMs: Math.max(entry.untilMs, entry.fullAtMs) - now,
      };
    }
    return undefined;
  }

  /** Forgets `keys` (after a reset). */
  delete(keys: string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private shrink(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.recheckAtMs <= now) this.entries.delete(key);
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(key);
    }
  }
}
