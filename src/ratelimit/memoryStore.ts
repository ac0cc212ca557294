/**
 * The development store: the same GCRA (shared math in `gcra.ts`) on a
 * bounded in-process map. Never used outside development: counters in memory
 * are per instance, so "60 per minute" would become "60 per minute per
 * machine", and a restart forgets them.
 * @module
 */
import { type Clock, systemClock } from "../clock/index.ts";
import { toDecision } from "./decision.ts";
import { StoreUnavailableError } from "./errors.ts";
import { assertValidLimit, evaluateGcra, gcraParams, refundedTat } from "./gcra.ts";
import type { DecideOptions, Decision, LimitSpec, RateLimitStore, StoreHealth } from "./types.ts";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  clock?: Clock;
  /** Most keys kept; beyond it expired keys are swept, then the least recently written go. */
  maxKeys?: number;
}

/** A store with its size exposed, for tests of the memory bound. */
export interface MemoryStore extends RateLimitStore {
  /** Keys currently held. */
  size(): number;
}

/** Builds the in-memory store. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 100_000;
  /** key → TAT in µs. A TAT in the past is the same as no key. */
  const tats = new Map<string, number>();
  let closed = false;

  const shrink = (nowUs: number) => {
    for (const [key, tat] of tats) if (tat <= nowUs) tats.delete(key);
    // Still full of live keys (e.g. IP rotation): forget the least recently written
    // down to 90 %, so the next inserts do not sweep again right away.
    const target = Math.floor(maxKeys * 0.9);
    for (const key of tats.keys()) {
      if (tats.size <= target) break;
      tats.delete(key);
    }
  };

  return {
    async decide(limits: LimitSpec[], options: DecideOptions = {}): Promise<Decision> {
      if (closed) throw new StoreUnavailableError("closed");
      for (const spec of limits) assertValidLimit(spec);
      const nowUs = Math.round(clock.now() * 1000);
      const params = limits.map(gcraParams);
      const stored = limits.map((l) => tats.get(l.key));
      const evaluation = evaluateGcra(params, stored, nowUs);
      if (options.peek) return toDecision(limits, evaluation.allowed, evaluation.outcomes);
      // A backlog from a stricter policy is cut to this one's tolerance and kept so,
      // refused or not (gcra.lua does the same).
      limits.forEach((l, i) => {
        const tat = stored[i];
        const full = nowUs + (params[i]?.toleranceUs ?? 0);
        if (tat !== undefined && tat > full) tats.set(l.key, full);
      });
      if (evaluation.allowed) {
        limits.forEach((l, i) => {
          const p = params[i];
          const outcome = evaluation.outcomes[i];
          if (!p || !outcome || p.incrementUs === 0) return;
          tats.delete(l.key); // re-insert: Map order doubles as write recency
          tats.set(l.key, outcome.newTatUs);
        });
        if (tats.size > maxKeys) shrink(nowUs);
      }
      return toDecision(limits, evaluation.allowed, evaluation.outcomes);
    },
    async reset(keys: string[]): Promise<void> {
      if (closed) throw new StoreUnavailableError("closed");
      for (const key of keys) tats.delete(key);
    },
    async refund(limits: LimitSpec[]): Promise<void> {
      if (closed) throw new StoreUnavailableError("closed");
      for (const spec of limits) assertValidLimit(spec);
      const nowUs = Math.round(clock.now() * 1000);
      for (const spec of limits) {
        const tat = tats.get(spec.key);
        if (tat === undefined) continue;
        const back = refundedTat(tat, gcraParams(spec).incrementUs, nowUs);
        if (back === undefined) tats.delete(spec.key);
        else tats.set(spec.key, back);
      }
    },
    health(): StoreHealth {
      return { kind: "memory", state: closed ? "unavailable" : "ready" };
    },
    async close(): Promise<void> {
      closed = true;
      tats.clear();
    },
    size: () => tats.size,
  };
}
