/**
 * Circuit breaker options and the choice of failure detector.
 * @module
 */
import type { Backoff } from "../backoff.ts";
import type { Clock } from "../types.ts";
import { ConsecutiveDetector } from "./consecutive.ts";
import { CountWindowDetector } from "./countWindow.ts";
import type { FailureDetector } from "./detector.ts";
import type { BreakerJSON } from "./state.ts";
import { TimeWindowDetector } from "./timeWindow.ts";

/** A sliding window: the last `size` calls, or the calls of the last `durationMs`. */
export type WindowOptions =
  | { kind: "count"; size: number }
  | { kind: "time"; durationMs: number; buckets?: number };

/** Options of CircuitBreaker. Consecutive mode unless `failureRateThreshold` is set. */
export interface CircuitBreakerOptions {
  /** Consecutive mode: handled failures in a row that open the circuit (default 5). */
  failureThreshold?: number;
  /** Window mode: failure ratio in (0, 1] that opens the circuit (inclusive). */
  failureRateThreshold?: number;
  /** Window mode: default `{ kind: "count", size: 100 }`. */
  window?: WindowOptions;
  /** Window mode: calls needed in the window before it may open (default 10; ≤ size). */
  minimumThroughput?: number;
  /** Window mode: a call strictly longer than this (ms) is slow. Default: off. */
  slowCallDurationMs?: number;
  /** Window mode: slow-call ratio in (0, 1] that opens the circuit (default 1 when slow calls are on). */
  slowCallRateThreshold?: number;
  /**
   * Open time before a probe is allowed, in ms or as a Backoff over the number
   * of consecutive openings (1 = first); the count resets on close. Default 30 000.
   */
  breakDuration?: number | Backoff;
  /** Probes admitted in half-open (default 1); extra callers are rejected at once. */
  halfOpenProbes?: number;
  /** Longest time in half-open before re-opening when probes do not settle (default 60 000; 0 = off). */
  halfOpenMaxWaitMs?: number;
  /** Which errors count as failures (default: all). Others count as successes (cockatiel, Polly). */
  shouldHandle?: (error: unknown) => boolean;
  /** Which successful results count as failures (default: none). */
  shouldHandleResult?: (result: unknown) => boolean;
  /** State to start from (from `toJSON()`). */
  initialState?: BreakerJSON;
  /** Label in telemetry and in the registry (default "breaker"). */
  name?: string;
  clock?: Clock;
}

/** Builds the detector the options describe. */
export function detectorFor(opts: CircuitBreakerOptions): FailureDetector {
  if (opts.failureRateThreshold === undefined) {
    if (opts.window || opts.slowCallDurationMs !== undefined) {
      throw new RangeError("circuit breaker: window and slow calls need failureRateThreshold");
    }
    return new ConsecutiveDetector(opts.failureThreshold ?? 5);
  }
  if (opts.failureThreshold !== undefined) {
    throw new RangeError("circuit breaker: set failureThreshold or failureRateThreshold, not both");
  }
  const thresholds = {
    failureRateThreshold: opts.failureRateThreshold,
    minimumThroughput: opts.minimumThroughput ?? 10,
    slowCallRateThreshold:
      opts.slowCallDurationMs === undefined ? undefined : (opts.slowCallRateThreshold ?? 1),
  };
  const window = opts.window ?? { kind: "count", size: 100 };
  return window.kind === "count"
    ? new CountWindowDetector(window.size, thresholds)
    : new TimeWindowDetector(window.durationMs, window.buckets ?? 10, thresholds);
}
