/**
 * Time-based sliding window: outcomes of the last `durationMs`, kept in
 * `buckets` buckets recycled lazily (no timers).
 * @module
 */
import { RollingWindow, type RollingWindowJSON } from "../rollingWindow.ts";
import type { DetectorCounts, DetectorJSON, FailureDetector } from "./detector.ts";
import { checkThresholds, probeLimit, type RateThresholds, rateExceeded } from "./rates.ts";

const CALLS = 0;
const FAILURES = 1;
const SLOW = 2;

/** Opens when the failure (or slow-call) rate over the last `durationMs` reaches its threshold. */
export class TimeWindowDetector implements FailureDetector {
  private readonly window: RollingWindow;

  constructor(
    durationMs: number,
    buckets: number,
    private readonly thresholds: RateThresholds,
  ) {
    if (!(durationMs > 0) || !Number.isInteger(buckets) || buckets < 1) {
      throw new RangeError("circuit breaker: window durationMs must be > 0 and buckets >= 1");
    }
    checkThresholds(thresholds);
    this.window = new RollingWindow(durationMs, buckets, 3);
  }

  record(failure: boolean, slow: boolean, now: number): boolean {
    this.window.add(now, CALLS);
    if (failure) this.window.add(now, FAILURES);
    if (slow) this.window.add(now, SLOW);
    return rateExceeded(
      this.thresholds,
      this.window.sum(now, CALLS),
      this.window.sum(now, FAILURES),
      this.window.sum(now, SLOW),
    );
  }

  probeFailureLimit(probes: number): number {
    return probeLimit(this.thresholds, probes);
  }

  reset(): void {
    this.window.clear();
  }

  counts(now: number): DetectorCounts {
    const calls = this.window.sum(now, CALLS);
    const failures = this.window.sum(now, FAILURES);
    return {
      kind: "time",
      calls,
      failures,
      slowCalls: this.window.sum(now, SLOW),
      failureRate: calls === 0 ? null : failures / calls,
      minimumThroughput: this.thresholds.minimumThroughput,
    };
  }

  toJSON(): DetectorJSON {
    return { kind: "time", window: this.window.toJSON() };
  }

  restore(json: DetectorJSON): void {
    const window = json.window as RollingWindowJSON | undefined;
    if (json.kind !== "time" || !window || !Array.isArray(window.epochs)) return;
    if (!Array.isArray(window.counts)) return;
    this.window.restore(window);
  }
}
