/**
 * Counters over a sliding time window, split into buckets that are recycled
 * lazily when time moves on: no interval timer, nothing to stop (opossum's
 * per-breaker bucket timers were its biggest idle cost, #809).
 * @module
 */

/** Serialised form of a RollingWindow. */
export interface RollingWindowJSON {
  epochs: number[];
  counts: number[];
}

/** `fields` counters per bucket; `buckets` buckets of `windowMs / buckets` each. */
export class RollingWindow {
  readonly bucketMs: number;
  private readonly epochs: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    readonly fields: number,
  ) {
    this.bucketMs = Math.max(1, windowMs / buckets);
    this.epochs = new Float64Array(buckets).fill(-1);
    this.counts = new Float64Array(buckets * fields);
  }

  /** Adds `n` to counter `field` at time `now`. */
  add(now: number, field: number, n = 1): void {
    const epoch = Math.floor(now / this.bucketMs);
    const slot = epoch % this.buckets;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.counts.fill(0, slot * this.fields, (slot + 1) * this.fields);
    }
    this.counts[slot * this.fields + field] = (this.counts[slot * this.fields + field] ?? 0) + n;
  }

  /** Sum of counter `field` over the buckets still inside the window at `now`. */
  sum(now: number, field: number): number {
    const current = Math.floor(now / this.bucketMs);
    let total = 0;
    for (let slot = 0; slot < this.buckets; slot++) {
      const epoch = this.epochs[slot] ?? -1;
      if (epoch > current - this.buckets && epoch <= current) {
        total += this.counts[slot * this.fields + field] ?? 0;
      }
    }
    return total;
  }

  /** Forgets everything. */
  clear(): void {
    this.epochs.fill(-1);
    this.counts.fill(0);
  }

  toJSON(): RollingWindowJSON {
    return { epochs: Array.from(this.epochs), counts: Array.from(this.counts) };
  }

  /** Loads a snapshot taken from a window of the same shape; ignores one that does not fit. */
  restore(json: RollingWindowJSON): void {
    if (json.epochs.length !== this.buckets || json.counts.length !== this.counts.length) return;
    this.epochs.set(json.epochs);
    this.counts.set(json.counts);
  }
}
