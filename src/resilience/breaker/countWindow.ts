/**
 * Count-based sliding window: the last `size` outcomes in a ring buffer,
 * with running totals so each record is O(1).
 * @module
 */
import type { DetectorCounts, DetectorJSON, FailureDetector } from "./detector.ts";
import { checkThresholds, probeLimit, type RateThresholds, rateExceeded } from "./rates.ts";

const FAILURE = 1;
const SLOW = 2;

/** Opens when the failure (or slow-call) rate over the last `size` calls reaches its threshold. */
export class CountWindowDetector implements FailureDetector {
  private readonly ring: Uint8Array;
  private head = 0;
  private filled = 0;
  private failures = 0;
  private slowCalls = 0;
  private readonly thresholds: RateThresholds;

  constructor(size: number, thresholds: RateThresholds) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError("circuit breaker: window size must be an integer >= 1");
    }
    checkThresholds(thresholds);
    this.ring = new Uint8Array(size);
    // A window can never hold more calls than its size (resilience4j: min(minCalls, size)).
    this.thresholds = {
      ...thresholds,
      minimumThroughput: Math.min(thresholds.minimumThroughput, size),
    };
  }

  record(failure: boolean, slow: boolean): boolean {
    const flags = (failure ? FAILURE : 0) | (slow ? SLOW : 0);
    if (this.filled === this.ring.length) {
      const old = this.ring[this.head] ?? 0;
      if (old & FAILURE) this.failures--;
      if (old & SLOW) this.slowCalls--;
    } else {
      this.filled++;
    }
    this.ring[this.head] = flags;
    this.head = (this.head + 1) % this.ring.length;
    if (failure) this.failures++;
    if (slow) this.slowCalls++;
    return rateExceeded(this.thresholds, this.filled, this.failures, this.slowCalls);
  }

  probeFailureLimit(probes: number): number {
    return probeLimit(this.thresholds, probes);
  }

  reset(): void {
    this.ring.fill(0);
    this.head = 0;
    this.filled = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }

  counts(): DetectorCounts {
    return {
      kind: "count",
      calls: this.filled,
      failures: this.failures,
      slowCalls: this.slowCalls,
      failureRate: this.filled === 0 ? null : this.failures / this.filled,
      minimumThroughput: this.thresholds.minimumThroughput,
    };
  }

  toJSON(): DetectorJSON {
    return { kind: "count", ring: Array.from(this.ring), head: this.head, filled: this.filled };
  }

  restore(json: DetectorJSON): void {
    const { ring, head, filled } = json as { ring?: unknown; head?: unknown; filled?: unknown };
    if (json.kind !== "count" || !Array.isArray(ring) || ring.length !== this.ring.length) return;
    if (typeof head !== "number" || typeof filled !== "number") return;
    this.reset();
    this.ring.set(ring as number[]);
    this.head = head;
    this.filled = filled;
    for (const flags of this.ring) {
      if (flags & FAILURE) this.failures++;
      if (flags & SLOW) this.slowCalls++;
    }
  }
}
