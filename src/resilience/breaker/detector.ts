/**
 * The part of a breaker that decides, from closed-state outcomes, when to
 * open. One implementation per mode: consecutive failures, a count-based
 * window, a time-based window.
 * @module
 */

/** Counts a detector reports (JSON-safe). */
export type DetectorCounts =
  | { kind: "consecutive"; consecutiveFailures: number; threshold: number }
  | {
      kind: "count" | "time";
      calls: number;
      failures: number;
      slowCalls: number;
      /** failures / calls, or null before the first call. */
      failureRate: number | null;
      minimumThroughput: number;
    };

/** Serialised detector state (opaque to callers; structured-clone and JSON safe). */
export type DetectorJSON = { kind: string } & Record<string, unknown>;

/** Decides when a closed breaker opens. */
export interface FailureDetector {
  /** Records one closed-state outcome; true when the breaker must open now. */
  record(failure: boolean, slow: boolean, now: number): boolean;
  /** How many bad probes out of `probes` re-open a half-open breaker. */
  probeFailureLimit(probes: number): number;
  /** Forgets all outcomes (on close). */
  reset(): void;
  counts(now: number): DetectorCounts;
  toJSON(): DetectorJSON;
  /** Loads a snapshot from a detector of the same kind and shape; ignores others. */
  restore(json: DetectorJSON): void;
}
