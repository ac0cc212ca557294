/**
 * Circuit states and the serialised form of a breaker.
 * @module
 */
import type { DetectorCounts, DetectorJSON } from "./detector.ts";

/** Where a breaker is. */
export type CircuitState = "closed" | "open" | "half-open" | "isolated";

/**
 * A breaker's state as plain data (`toJSON()`), to persist and restore with
 * `initialState`. Half-open is written as open with `openedAt: 0`, so a
 * restored breaker probes on its first call (cockatiel does the same).
 */
export interface BreakerJSON {
  state: "closed" | "open" | "isolated";
  openedAt: number;
  /** Consecutive openings so far (drives the break-duration backoff). */
  openings: number;
  detector: DetectorJSON;
}

/** Calls seen by a breaker since it was created (lifetime totals). */
export interface BreakerCounts {
  successes: number;
  failures: number;
  /** Calls refused because the circuit was open, half-open and full, or isolated. */
  rejections: number;
  /** Calls the caller aborted: neither success nor failure. */
  ignored: number;
  /** Results that arrived after a state change and were not counted in the window. */
  late: number;
}

/** All-zero counts. */
export const emptyCounts = (): BreakerCounts => ({
  successes: 0,
  failures: 0,
  rejections: 0,
  ignored: 0,
  late: 0,
});

/** A JSON-safe view of a breaker, as listed by the registry. */
export interface BreakerSnapshot {
  name: string;
  state: CircuitState;
  /** ms until a call would be admitted; 0 when closed, null when isolated. */
  retryAfterMs: number | null;
  openings: number;
  counts: BreakerCounts;
  window: DetectorCounts;
}

/** A state change, as given to listeners. */
export interface StateChange {
  name: string;
  from: CircuitState;
  to: CircuitState;
  at: number;
}

/** A handle on a manual isolation; `dispose()` releases it (idempotent). */
export interface IsolationHandle {
  dispose(): void;
}
