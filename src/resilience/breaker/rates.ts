/**
 * Thresholds shared by the window modes. Comparisons are inclusive
 * (resilience4j, Polly): a 50 % threshold opens at exactly 5 failures of 10.
 * Rates are compared as `failures / calls` rather than `failures >=
 * threshold * calls`: the product can round up (0.1 * 30 is 3.0000000000000004).
 * @module
 */

/** Rate limits for a window detector. */
export interface RateThresholds {
  /** Failure ratio in (0, 1] at which the breaker opens. */
  failureRateThreshold: number;
  /** Calls needed in the window before the breaker may open. */
  minimumThroughput: number;
  /** Slow-call ratio in (0, 1] at which the breaker opens; undefined = off. */
  slowCallRateThreshold?: number;
}

/** Validates thresholds; throws RangeError on nonsense. */
export function checkThresholds(t: RateThresholds): void {
  if (!(t.failureRateThreshold > 0 && t.failureRateThreshold <= 1)) {
    throw new RangeError("circuit breaker: failureRateThreshold must be in (0, 1]");
  }
  if (!(t.minimumThroughput >= 1)) {
    throw new RangeError("circuit breaker: minimumThroughput must be >= 1");
  }
  const slow = t.slowCallRateThreshold;
  if (slow !== undefined && !(slow > 0 && slow <= 1)) {
    throw new RangeError("circuit breaker: slowCallRateThreshold must be in (0, 1]");
  }
}

/** True when the window holds enough calls and a rate reaches its threshold. */
export function rateExceeded(
  t: RateThresholds,
  calls: number,
  failures: number,
  slowCalls: number,
): boolean {
  if (calls < t.minimumThroughput || calls === 0) return false;
  if (failures / calls >= t.failureRateThreshold) return true;
  return t.slowCallRateThreshold !== undefined && slowCalls / calls >= t.slowCallRateThreshold;
}

/** Bad probes among `probes` that re-open: the failure threshold applied to the probes. */
export function probeLimit(t: RateThresholds, probes: number): number {
  return Math.max(1, Math.ceil(t.failureRateThreshold * probes - 1e-9));
}
