/**
 * Shared shapes of the resilience primitives: the unit of work, the policy
 * contract and the injectable time sources.
 * @module
 */

/** A unit of work. It receives a signal it should honour (fetch, timers, …). */
export type Work<T> = (signal: AbortSignal) => Promise<T>;

/** Anything that can run work under some protection (retry, breaker, timeout, …). */
export interface Policy {
  /**
   * Runs `work` under this policy. `signal` is the caller's: when it aborts,
   * the call settles with the caller's `signal.reason` (never a TimeoutError).
   */
  execute<T>(work: Work<T>, signal?: AbortSignal): Promise<T>;
}

/** A source of the current time in epoch milliseconds (same shape as src/clock). */
export interface Clock {
  now(): number;
}

/**
 * Timers behind an interface so tests can drive them (see ManualScheduler).
 * Handles are opaque.
 */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options every time-aware policy accepts. */
export interface TimeOptions {
  /** Defaults to `Date.now`. */
  clock?: Clock;
  /** Defaults to the global `setTimeout`/`clearTimeout`. */
  scheduler?: Scheduler;
}
