/**
 * Consecutive-failure mode (the seed's `failure_threshold`): opens on the
 * `threshold`-th handled failure in a row — inclusive, as cockatiel's code
 * does — and any success starts the count again.
 * @module
 */
import type { DetectorCounts, DetectorJSON, FailureDetector } from "./detector.ts";

/** Opens after `threshold` consecutive failures. */
export class ConsecutiveDetector implements FailureDetector {
  private failures = 0;

  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError("circuit breaker: failureThreshold must be an integer >= 1");
    }
  }

  record(failure: boolean): boolean {
    if (!failure) {
      this.failures = 0;
      return false;
    }
    this.failures++;
    return this.failures >= this.threshold;
  }

  /** Any failed probe re-opens. */
  probeFailureLimit(): number {
    return 1;
  }

  reset(): void {
    this.failures = 0;
  }

  counts(): DetectorCounts {
    return { kind: "consecutive", consecutiveFailures: this.failures, threshold: this.threshold };
  }

  toJSON(): DetectorJSON {
    return { kind: "consecutive", failures: this.failures };
  }

  restore(json: DetectorJSON): void {
    if (json.kind === "consecutive" && typeof json.failures === "number") {
      this.failures = json.failures;
    }
  }
}
